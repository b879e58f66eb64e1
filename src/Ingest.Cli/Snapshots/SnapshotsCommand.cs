using System.Text;
using System.Text.Json;
using Ingest.Catalog;
using Ingest.Cli.Hosting;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Snapshots;

/// <summary><c>ingest snapshots</c>: an Iceberg table's history, newest first, with the run and the rows of each snapshot.</summary>
internal sealed class SnapshotsCommand(CliHome home, CliConsoles consoles) : AsyncCommand<SnapshotsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SnapshotsSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        await using var session = home.Open(settings);
        var registered = await session.Backends.Registry.GetRequiredAsync(id, cancellationToken: cancellationToken);
        var snapshots = (await TableSnapshots.ListAsync(registered, session.Backends.Lake, SnapshotCommands.Catalog(session, registered), cancellationToken)).Take(settings.Limit).ToList();
        if (settings.Format == SnapshotsOutputFormat.Json)
        {
            var json = new StringBuilder();
            foreach (var s in snapshots)
            {
                json.AppendLine(JsonSerializer.Serialize(new
                {
                    snapshotId = s.SnapshotId,
                    parentSnapshotId = s.ParentSnapshotId,
                    committedAt = s.CommittedAt,
                    operation = s.Operation,
                    runId = s.RunId,
                    inputs = s.Inputs,
                    definitionVersion = s.DefinitionVersion,
                    schemaId = s.SchemaId,
                    addedRecords = s.AddedRecords,
                    deletedRecords = s.DeletedRecords,
                    addedFiles = s.AddedFiles,
                    deletedFiles = s.DeletedFiles,
                    totalRecords = s.TotalRecords,
                    totalFiles = s.TotalFiles,
                    current = s.IsCurrent,
                    rolledBack = s.IsRolledBack,
                }));
            }

            consoles.Out.WriteRaw(json.ToString());
            return ExitCodes.Success;
        }

        if (snapshots.Count == 0)
        {
            consoles.Out.WriteRaw($"{id} has no snapshots yet: its first run creates the table.{Environment.NewLine}");
            return ExitCodes.Success;
        }

        var table = new Table()
            .AddColumn(new TableColumn("snapshot").NoWrap())
            .AddColumn(new TableColumn("state").NoWrap())
            .AddColumn("committed")
            .AddColumn("operation")
            .AddColumn(new TableColumn("run").NoWrap())
            .AddColumn(new TableColumn("v").RightAligned())
            .AddColumn(new TableColumn("inputs").RightAligned())
            .AddColumn(new TableColumn("+rows").RightAligned())
            .AddColumn(new TableColumn("-rows").RightAligned())
            .AddColumn(new TableColumn("+files").RightAligned())
            .AddColumn(new TableColumn("-files").RightAligned())
            .AddColumn(new TableColumn("rows").RightAligned());
        foreach (var s in snapshots)
        {
            table.AddRow(
                s.SnapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                s.IsCurrent ? "current" : s.IsRolledBack ? "rolled back" : string.Empty,
                ConsoleOutput.Time(s.CommittedAt),
                s.Operation,
                Markup.Escape(s.RunId ?? "-"),
                s.DefinitionVersion is { } v ? $"v{v}" : "-",
                ConsoleOutput.N(s.Inputs.Count),
                ConsoleOutput.N(s.AddedRecords),
                ConsoleOutput.N(s.DeletedRecords),
                ConsoleOutput.N(s.AddedFiles),
                ConsoleOutput.N(s.DeletedFiles),
                ConsoleOutput.N(s.TotalRecords));
        }

        consoles.Out.Write(table);
        return ExitCodes.Success;
    }
}

/// <summary>Shared checks of the snapshot commands.</summary>
internal static class SnapshotCommands
{
    /// <summary>The Iceberg catalog of the session, or a one-line error saying why the dataset has no snapshots.</summary>
    public static IIcebergCatalog Catalog(BackendSession session, RegisteredDefinition registered)
    {
        if (registered.Definition.TableFormat != Definitions.TableFormat.Iceberg)
        {
            throw new CliException($"{registered.Dataset} is a Hive table: it has no snapshots (a new dataset is an Iceberg table unless \"table\": {{\"format\": \"hive\"}}).");
        }

        return session.Backends.IcebergCatalog ?? throw new CliException($"The backends of this target have no Iceberg catalog, so {registered.Dataset}'s snapshots cannot be read.");
    }
}
