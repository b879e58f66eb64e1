using Ingest.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary><c>ingest datasets list</c>: the latest version of every registered dataset.</summary>
internal sealed class DatasetsListCommand(CliHome home, CliConsoles consoles) : AsyncCommand<DatasetsListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsListSettings settings, CancellationToken cancellationToken)
    {
        await using var session = home.Open(settings);
        if (settings.Format != ListOutputFormat.Table)
        {
            var all = new List<Registry.RegisteredDefinition>();
            await foreach (var registered in session.Backends.Registry.ListAsync(cancellationToken))
            {
                all.Add(registered);
            }

            consoles.Out.WriteRaw(settings.Format == ListOutputFormat.Json
                ? string.Concat(all.Select(r => MachineOutput.Json(Shape(r)) + "\n"))
                : MachineOutput.Csv(
                    ["id", "version", "source_format", "columns", "partitioning", "write_mode", "table_format", "engine", "registered_at"],
                    all.Select(r => (IReadOnlyList<object?>)[r.Dataset.ToString(), r.Version, r.Definition.Source.Format.Name, r.Definition.Columns.Count,
                        DefinitionText.Partitioning(r.Definition), DefinitionText.Kebab(r.Definition.Write.Mode), DefinitionText.Kebab(r.Definition.TableFormat), DefinitionText.Kebab(r.Definition.Engine.Kind), r.RegisteredAt])));
            return ExitCodes.Success;
        }

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
                d.Source.Format.Name,
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

    /// <summary>The JSON shape of one dataset (documented in the README's CLI section).</summary>
    private static object Shape(Registry.RegisteredDefinition r) => new
    {
        id = r.Dataset.ToString(),
        version = r.Version,
        sourceFormat = r.Definition.Source.Format.Name,
        columns = r.Definition.Columns.Count,
        partitioning = r.Definition.Partitioning.Select(p => new { name = p.EffectiveName, transform = DefinitionText.Kebab(p.Transform), column = p.Column }),
        writeMode = DefinitionText.Kebab(r.Definition.Write.Mode),
        tableFormat = DefinitionText.Kebab(r.Definition.TableFormat),
        engine = DefinitionText.Kebab(r.Definition.Engine.Kind),
        registeredAt = r.RegisteredAt,
    };
}
