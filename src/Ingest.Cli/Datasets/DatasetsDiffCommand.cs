using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary>
/// <c>ingest datasets diff</c>: column-level differences between a registered version and a file, or two
/// registered versions, with the compatibility verdict. A report: exits 0 whether or not the change is compatible
/// (use <c>datasets validate</c> to gate CI).
/// </summary>
internal sealed class DatasetsDiffCommand(CliHome home, CliConsoles consoles) : AsyncCommand<DatasetsDiffSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsDiffSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        var file = settings.File is null ? null : Arguments.ExistingFile(settings.File, "Definition file");
        await using var session = home.Open(settings);
        var registry = session.Backends.Registry;

        DatasetDefinition toDefinition;
        string toLabel;
        RegisteredDefinition from;
        if (file is not null)
        {
            toDefinition = await DatasetDefinitionSerializer.ReadFileAsync(file, cancellationToken);
            if (toDefinition.Id != id)
            {
                throw new CliException($"{Path.GetFileName(file)} defines dataset {toDefinition.Id}, not {id}.");
            }

            toLabel = Path.GetFileName(file);
            from = await registry.GetRequiredAsync(id, settings.From, cancellationToken);
        }
        else
        {
            var to = await registry.GetRequiredAsync(id, settings.To, cancellationToken);
            var fromVersion = settings.From ?? to.Version - 1;
            if (fromVersion < 1)
            {
                throw new CliException($"Dataset {id} has only version {to.Version}: nothing to compare. Pass a definition FILE, or --from and --to.");
            }

            from = await registry.GetRequiredAsync(id, fromVersion, cancellationToken);
            toDefinition = to.Definition;
            toLabel = $"v{to.Version}";
        }

        var diff = DefinitionDiff.Compare(from.Definition, toDefinition);
        if (settings.Format == DocumentOutputFormat.Json)
        {
            consoles.Out.WriteRaw(MachineOutput.Json(new
            {
                dataset = id.ToString(),
                from = $"v{from.Version}",
                to = toLabel,
                compatible = diff.IsCompatible,
                columns = diff.Columns.Select(c => new { change = DefinitionText.Kebab(c.Kind), column = c.Column, from = c.From, to = c.To }),
                otherSections = diff.OtherSections,
                incompatibilities = diff.Incompatibilities,
            }) + "\n");
            return ExitCodes.Success;
        }

        Render(diff, id, $"v{from.Version}", toLabel, file is not null);
        return ExitCodes.Success;
    }

    private void Render(DefinitionDiff diff, DatasetId id, string fromLabel, string toLabel, bool toIsFile)
    {
        var console = consoles.Out;
        console.MarkupLineInterpolated($"[bold]{id}[/]: {fromLabel} -> {toLabel}");
        if (diff.IsEmpty)
        {
            console.MarkupLine("No differences.");
        }

        if (diff.Columns.Count > 0)
        {
            var table = new Table().AddColumn("change").AddColumn("column").AddColumn("from").AddColumn("to");
            foreach (var change in diff.Columns)
            {
                table.AddRow(
                    DefinitionText.Kebab(change.Kind),
                    Markup.Escape(change.Column),
                    Markup.Escape(change.From),
                    Markup.Escape(change.To));
            }

            console.Write(table);
        }

        if (diff.OtherSections.Count > 0)
        {
            console.MarkupLineInterpolated($"Other changed sections: {string.Join(", ", diff.OtherSections)}");
        }

        if (diff.IsCompatible)
        {
            console.MarkupLineInterpolated($"[green]compatible[/]: {toLabel} may follow {fromLabel}{(toIsFile && !diff.IsEmpty ? " (datasets add registers it as a new version)" : string.Empty)}.");
        }
        else
        {
            console.MarkupLineInterpolated($"[red]incompatible[/] with {fromLabel}:");
            foreach (var problem in diff.Incompatibilities)
            {
                console.MarkupLineInterpolated($"  - {problem}");
            }
        }
    }
}
