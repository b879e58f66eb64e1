using Spectre.Console;

namespace OnPremToAthena;

/// <summary>
/// The sample's assertions: each compares what the lake answers with what is known independently
/// (the generator's own figures, the planted defects). Any failure makes the process exit non-zero.
/// </summary>
internal sealed class Checks
{
    private readonly List<(string Name, bool Passed, string Detail)> _results = [];

    public bool AllPassed => _results.TrueForAll(r => r.Passed);

    public int Count => _results.Count;

    public bool That(string name, bool passed, string detail)
    {
        _results.Add((name, passed, detail));
        var mark = passed ? "[green]PASS[/]" : "[red]FAIL[/]";
        AnsiConsole.MarkupLine($"  {mark} {Markup.Escape(name)}: {Markup.Escape(detail)}");
        return passed;
    }

    public bool Equal<T>(string name, T expected, T actual)
        => That(name, EqualityComparer<T>.Default.Equals(expected, actual), $"expected {expected}, lake says {actual}");

    public void Render()
    {
        var failed = _results.Where(r => !r.Passed).ToList();
        AnsiConsole.WriteLine();
        if (failed.Count == 0)
        {
            AnsiConsole.MarkupLine($"[green]All {_results.Count} checks passed.[/]");
            return;
        }

        AnsiConsole.MarkupLine($"[red]{failed.Count} of {_results.Count} checks failed:[/]");
        foreach (var (name, _, detail) in failed)
        {
            AnsiConsole.MarkupLine($"  [red]FAIL[/] {Markup.Escape(name)}: {Markup.Escape(detail)}");
        }
    }
}
