using System.Text;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Ingest.Cli.Hosting;

/// <summary>
/// Spectre's help with examples quoted for a POSIX shell (so that a pasted example runs as shown) and the exit codes
/// appended to every command's help.
/// </summary>
internal sealed class CliHelpProvider(ICommandAppSettings settings) : HelpProvider(settings)
{
    public override IEnumerable<IRenderable> GetExamples(ICommandModel model, ICommandInfo? command)
    {
        ICommandContainer container = command is null ? model : command;
        var examples = container.Examples.Count > 0
            ? [.. container.Examples]
            : container.Commands.Where(c => !c.IsHidden).SelectMany(c => c.Examples).Take(MaximumIndirectExamples).ToList();
        if (examples.Count == 0)
        {
            return [];
        }

        var text = new StringBuilder();
        foreach (var example in examples)
        {
            text.Append("    ").Append(model.ApplicationName).Append(' ').AppendJoin(' ', example.Select(ShellQuote)).AppendLine();
        }

        return [new Markup(Environment.NewLine + "[yellow]EXAMPLES:[/]" + Environment.NewLine), new Text(text.ToString())];
    }

    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command)
        => [.. base.GetFooter(model, command), new Text(Environment.NewLine + ExitCodes.HelpText + Environment.NewLine)];

    /// <summary>Quotes an argument for a POSIX shell when it holds anything but letters, digits and <c>_-./:=,@%+</c>.</summary>
    internal static string ShellQuote(string argument)
        => argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=,@%+".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
