using System.Globalization;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Registry;
using Spectre.Console;

namespace OnPremToAthena;

/// <summary>Console rendering: step headers, run summaries, query results and version histories.</summary>
internal static class Show
{
    public static void Step(int number, string title, string why)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.Write(new Rule($"[bold yellow]{number}. {Markup.Escape(title)}[/]").LeftJustified());
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(why)}[/]");
    }

    public static void Run(IngestRunResult result)
    {
        var run = result.Run;
        var inputs = string.Join(", ", run.Sources.Select(s => s.Skipped ? $"{s.Name} (skipped: ingested before)" : s.Name));
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{run.Dataset}[/] v{run.DefinitionVersion} — {run.Status} — {Markup.Escape(inputs)}");
        table.AddColumns("read", "written", "rejected", "files", "partitions", "elapsed");
        foreach (var i in Enumerable.Range(0, 6))
        {
            table.Columns[i].RightAligned();
        }

        table.AddRow(
            N(run.RowsRead),
            N(run.RowsWritten),
            run.RowsRejected > 0 ? $"[red]{N(run.RowsRejected)}[/]" : "0",
            N(run.FilesWritten.Count),
            N(run.PartitionsWritten.Count),
            $"{result.Elapsed.TotalSeconds:0.00} s");
        AnsiConsole.Write(table);
        foreach (var reason in result.TopRejectReasons)
        {
            AnsiConsole.MarkupLine($"  [red]{reason.Count,4}×[/] {Markup.Escape(reason.Reason)}");
        }
    }

    /// <summary>Prints why a step's SQL is skipped.</summary>
    public static void Skipped(string why) => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(why)}[/]");

    /// <summary>Prints up to <paramref name="maxRows"/> rows (the first half and the last half when there are more) and returns all rows.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<object?>>> QueryAsync(
        IQueryEngine query, string title, string sql, IReadOnlyList<object?>? parameters = null, int maxRows = 12)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
        var text = parameters is { Count: > 0 }
            ? $"{sql.Trim()}\n  -- parameters: {string.Join(", ", parameters.Select(Format))}"
            : sql.Trim();
        AnsiConsole.Write(new Panel(new Text(text, new Style(Color.Grey))).Border(BoxBorder.None));

        var rows = new List<IReadOnlyList<object?>>();
        var result = await query.QueryAsync(sql, parameters).ConfigureAwait(false);
        await using (result.ConfigureAwait(false))
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (var column in result.Columns)
            {
                table.AddColumn(Markup.Escape(column));
            }

            await foreach (var row in result.ReadRowsAsync().ConfigureAwait(false))
            {
                rows.Add(row);
            }

            var head = rows.Count <= maxRows ? rows.Count : maxRows / 2;
            for (var i = 0; i < rows.Count; i++)
            {
                if (i == head && rows.Count > maxRows)
                {
                    table.AddRow(result.Columns.Select(_ => "…").ToArray());
                    i = rows.Count - (maxRows - head);
                }

                // Identifiers and line numbers print as they are; counts and amounts get digit grouping.
                table.AddRow(rows[i].Select((v, c) => Markup.Escape(IsIdentifier(result.Columns[c]) ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "NULL" : Format(v))).ToArray());
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"[grey]({N(rows.Count)} rows)[/]");
        }

        return rows;
    }

    public static void Versions(IReadOnlyList<RegisteredDefinition> versions)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]version history[/]");
        table.AddColumns("version", "registered at (UTC)", "fingerprint", "columns", "change");
        RegisteredDefinition? previous = null;
        foreach (var v in versions)
        {
            table.AddRow(
                v.Version.ToString(CultureInfo.InvariantCulture),
                v.RegisteredAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                v.Fingerprint[..12],
                v.Definition.Columns.Count.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Describe(previous?.Definition, v.Definition)));
            previous = v;
        }

        AnsiConsole.Write(table);
    }

    public static string Format(object? value) => value switch
    {
        null => "NULL",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => m.ToString("#,0.00", CultureInfo.InvariantCulture),
        double x => x.ToString("#,0.##", CultureInfo.InvariantCulture),
        long or int => ((IFormattable)value).ToString("#,0", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static bool IsIdentifier(string column) => column.EndsWith("_id", StringComparison.Ordinal) || column == "line";

    public static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Describe(DatasetDefinition? previous, DatasetDefinition current)
    {
        if (previous is null)
        {
            return "initial";
        }

        var added = current.Columns.Where(c => previous.FindColumn(c.Name) is null).Select(c => $"+ {c.Name} {c.Type}{(c.Nullable ? " (nullable)" : string.Empty)}");
        var widened = current.Columns
            .Select(c => (Now: c, Was: previous.FindColumn(c.Name)))
            .Where(p => p.Was is not null && p.Was.Type != p.Now.Type)
            .Select(p => $"~ {p.Now.Name} {p.Was!.Type} → {p.Now.Type}");
        var changes = added.Concat(widened).ToList();
        return changes.Count == 0 ? "settings only" : string.Join("; ", changes);
    }
}
