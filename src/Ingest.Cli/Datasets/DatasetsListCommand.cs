using Ingest.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary><c>ingest datasets list</c>: the latest version of every registered dataset.</summary>
internal sealed class DatasetsListCommand(CliHome home, CliConsoles consoles) : AsyncCommand<GlobalSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, GlobalSettings settings, CancellationToken cancellationToken)
    {
        await using var session = home.Open(settings);
        var table = new Table()
            .AddColumn(new TableColumn("id").NoWrap())
            .AddColumn(new TableColumn("latest version").RightAligned())
            .AddColumn("format")
            .AddColumn(new TableColumn("columns").RightAligned())
            .AddColumn("partitioning")
            .AddColumn("write mode")
            .AddColumn("registered at");
        await foreach (var registered in session.Backends.Registry.ListAsync(cancellationToken))
        {
            var d = registered.Definition;
            table.AddRow(
                Markup.Escape(d.Id.ToString()),
                $"v{registered.Version}",
                DefinitionText.Kebab(d.Source.Format),
                d.Columns.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(DefinitionText.Partitioning(d)),
                DefinitionText.Kebab(d.Write.Mode),
                ConsoleOutput.Time(registered.RegisteredAt));
        }

        if (table.Rows.Count == 0)
        {
            consoles.Out.MarkupLine("No datasets registered. Add one with [bold]ingest datasets add <file.json>[/].");
            return ExitCodes.Success;
        }

        consoles.Out.Write(table);
        return ExitCodes.Success;
    }
}
