using System.Text;
using Ingest.Catalog;
using Ingest.Cli.Hosting;
using Ingest.Registry;
using Spectre.Console.Cli;

namespace Ingest.Cli.Snapshots;

/// <summary>
/// <c>ingest rollback</c>: makes an earlier snapshot of an Iceberg table current again, as a new metadata version (readers
/// switch at once); the inputs of the runs rolled back out can be ingested again.
/// </summary>
internal sealed class RollbackCommand(CliHome home, CliConsoles consoles) : AsyncCommand<RollbackSettings>
{
    /// <summary>The <c>--to</c> value for the parent of the current snapshot: undo the last run.</summary>
    internal const string Previous = "previous";

    public override async Task<int> ExecuteAsync(CommandContext context, RollbackSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        TableVersion? to = null;
        try
        {
            to = settings.To == Previous ? null : TableVersion.Parse(settings.To);
        }
        catch (FormatException ex)
        {
            throw new CliException($"--to: {ex.Message} Or --to {Previous} for the snapshot before the current one.");
        }

        await using var session = home.Open(settings);
        var registered = await session.Backends.Registry.GetRequiredAsync(id, cancellationToken: cancellationToken);
        var catalog = SnapshotCommands.Catalog(session, registered);
        var snapshot = to is { } version
            ? await TableSnapshots.ResolveVersionAsync(registered, session.Backends.Lake, catalog, version, cancellationToken)
            : (await TableSnapshots.ListAsync(registered, session.Backends.Lake, catalog, cancellationToken)).FirstOrDefault(s => s.IsCurrent)?.ParentSnapshotId
                ?? throw new CliException($"{id} has no snapshot before its current one to roll back to; ingest snapshots {id} lists them.");
        var rollback = await TableSnapshots.RollbackAsync(registered, session.Backends.Lake, catalog, session.Backends.Ledger, snapshot, cancellationToken);

        var text = new StringBuilder();
        text.AppendLine($"{id}: snapshot {rollback.SnapshotId} is current (was {rollback.PreviousSnapshotId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); readers see it from now on, and the history keeps both.");
        foreach (var run in rollback.RunsRolledBack)
        {
            text.AppendLine($"  rolled back: snapshot {run.SnapshotId} of run {run.RunId ?? "-"} ({ConsoleOutput.N(run.AddedRecords)} rows added, {ConsoleOutput.N(run.DeletedRecords)} removed)");
        }

        if (rollback.RunsRolledBack.Count > 0)
        {
            text.AppendLine($"The inputs of {(rollback.RunsRolledBack.Count == 1 ? "that run" : "those runs")} no longer count as ingested: ingest run {id} <files> ingests them again.");
        }

        consoles.Out.WriteRaw(text.ToString());
        return ExitCodes.Success;
    }
}
