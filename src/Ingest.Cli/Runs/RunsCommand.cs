using Ingest.Cli.Hosting;
using Ingest.Diagnostics;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Runs;

/// <summary><c>ingest runs</c>: a dataset's runs from the ledger, newest first.</summary>
internal sealed class RunsCommand(CliHome home, CliConsoles consoles) : AsyncCommand<RunsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunsSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        await using var session = home.Open(settings);
        var registered = await session.Backends.Registry.GetRequiredAsync(id, cancellationToken: cancellationToken);

        var table = new Table()
            .AddColumn(new TableColumn("run id").NoWrap())
            .AddColumn(new TableColumn("status").NoWrap())
            .AddColumn("started")
            .AddColumn(new TableColumn("took").RightAligned())
            .AddColumn(new TableColumn("v").RightAligned())
            .AddColumn(new TableColumn("read").RightAligned())
            .AddColumn(new TableColumn("written").RightAligned())
            .AddColumn(new TableColumn("rejected").RightAligned())
            .AddColumn(new TableColumn("inputs").RightAligned())
            .AddColumn(new TableColumn("files").RightAligned())
            .AddColumn(new TableColumn("bytes").RightAligned())
            .AddColumn(new TableColumn("parts").RightAligned())
            .AddColumn(new TableColumn("retries").RightAligned())
            .AddColumn("error");
        // An Iceberg table's history, read once: which runs have a snapshot, and which a rollback took out of it.
        var snapshots = registered.Definition.TableFormat == Definitions.TableFormat.Iceberg && session.Backends.IcebergCatalog is { } catalog
            ? (await Catalog.TableSnapshots.ListAsync(registered, session.Backends.Lake, catalog, cancellationToken)).Where(s => s.RunId is not null).DistinctBy(s => s.RunId).ToDictionary(s => s.RunId!, StringComparer.Ordinal)
            : [];
        var runs = new List<(Ledger.RunRecord Run, string Status)>();
        await foreach (var run in session.Backends.Ledger.ListRunsAsync(id, cancellationToken))
        {
            if (runs.Count >= settings.Limit)
            {
                break;
            }

            var status = run.Status.ToString().ToLowerInvariant();

            // A run that died after its Iceberg snapshot: published, completed by the next run.
            if (run.Status == Ledger.RunStatus.Running && snapshots.ContainsKey(run.RunId))
            {
                status = "committed (the next run completes it)";
            }

            if (run.Status == Ledger.RunStatus.Succeeded && snapshots.TryGetValue(run.RunId, out var snapshot) && snapshot.IsRolledBack)
            {
                status = "rolled back";
            }

            // A rollback or a maintenance of the table is recorded as a run of its own.
            if (run.Operation != Ledger.RunOperation.Ingest)
            {
                status = run.Operation == Ledger.RunOperation.Rollback
                    ? $"rollback to {run.Counters.GetValueOrDefault("snapshot")}"
                    : $"maintenance: {run.Counters.GetValueOrDefault("files-compacted")} files compacted, {run.Counters.GetValueOrDefault("snapshots-expired")} snapshots expired, {run.Counters.GetValueOrDefault("orphans-deleted")} orphans";
            }

            runs.Add((run, status));
        }

        if (settings.Format != ListOutputFormat.Table)
        {
            consoles.Out.WriteRaw(settings.Format == ListOutputFormat.Json
                ? string.Concat(runs.Select(r => MachineOutput.Json(Shape(r.Run, r.Status)) + "\n"))
                : MachineOutput.Csv(
                    ["run_id", "status", "state", "started_at", "ended_at", "definition_version", "rows_read", "rows_written", "rows_rejected", "inputs", "files_written", "bytes_written", "partitions_written", "retries", "error"],
                    runs.Select(r =>
                    {
                        var m = IngestRunMetrics.FromRun(r.Run);
                        return (IReadOnlyList<object?>)[r.Run.RunId, r.Run.Status.ToString().ToLowerInvariant(), r.Status, r.Run.StartedAt, r.Run.EndedAt, r.Run.DefinitionVersion,
                            m.RowsRead, m.RowsWritten, m.RowsRejected, r.Run.Sources.Count, m.FilesWritten, m.BytesWritten, m.PartitionsWritten, m.Retries, r.Run.Error];
                    })));
            return ExitCodes.Success;
        }

        foreach (var (run, status) in runs)
        {
            var metrics = IngestRunMetrics.FromRun(run);
            table.AddRow(
                Markup.Escape(run.RunId),
                run.Status switch
                {
                    Ledger.RunStatus.Succeeded when status == "rolled back" => $"[yellow]{status}[/]",
                    Ledger.RunStatus.Succeeded when run.Operation != Ledger.RunOperation.Ingest => $"[blue]{Markup.Escape(status)}[/]",
                    Ledger.RunStatus.Succeeded => $"[green]{status}[/]",
                    Ledger.RunStatus.Failed => $"[red]{status}[/]",
                    _ => status,
                },
                ConsoleOutput.Time(run.StartedAt),
                run.EndedAt is { } ended ? ConsoleOutput.Duration(ended - run.StartedAt) : "-",
                $"v{run.DefinitionVersion}",
                ConsoleOutput.N(metrics.RowsRead),
                ConsoleOutput.N(metrics.RowsWritten),
                ConsoleOutput.N(metrics.RowsRejected),
                ConsoleOutput.N(run.Sources.Count),
                ConsoleOutput.N(metrics.FilesWritten),
                ConsoleOutput.Bytes(metrics.BytesWritten),
                ConsoleOutput.N(metrics.PartitionsWritten),
                ConsoleOutput.N(metrics.Retries),
                Markup.Escape(run.Error ?? string.Empty));
        }

        if (table.Rows.Count == 0)
        {
            consoles.Out.MarkupLineInterpolated($"No runs of {id} yet. Start one with: ingest run {id} <files>");
            return ExitCodes.Success;
        }

        consoles.Out.Write(table);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The JSON shape of one run (documented in the README's CLI section): <c>status</c> is the ledger's status, <c>state</c>
    /// what the table says of it (rolled back, committed by a run that died after its snapshot) and otherwise the same.
    /// </summary>
    private static object Shape(Ledger.RunRecord run, string state)
    {
        var m = IngestRunMetrics.FromRun(run);
        return new
        {
            runId = run.RunId,
            dataset = run.Dataset.ToString(),
            status = run.Status.ToString().ToLowerInvariant(),
            operation = run.Operation.ToString().ToLowerInvariant(),
            state,
            startedAt = run.StartedAt,
            endedAt = run.EndedAt,
            definitionVersion = run.DefinitionVersion,
            rowsRead = m.RowsRead,
            rowsWritten = m.RowsWritten,
            rowsRejected = m.RowsRejected,
            inputs = run.Sources.Select(i => new { name = i.Name, size = i.Size, sha256 = i.Sha256, skipped = i.Skipped }),
            filesWritten = m.FilesWritten,
            bytesWritten = m.BytesWritten,
            partitionsWritten = m.PartitionsWritten,
            retries = m.Retries,
            error = run.Error,
            counters = run.Operation == Ledger.RunOperation.Ingest ? null : run.Counters,
        };
    }
}
