using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Engine.Commit;
using Ingest.Engine.Reading;
using Ingest.Engine.Tables;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Logging;

namespace Ingest.Engine;

/// <summary>
/// One run of a pipeline: lease, recovery of dead runs, raw copies and fingerprints, the row loop, the
/// reject budget, merge/overwrite planning, commit, catalog and ledger. Every exit path releases the lease;
/// every failure removes what the run staged and records the error.
/// </summary>
internal sealed class IngestRun
{
    private readonly PipelineSettings _settings;
    private readonly IngestBackends _backends;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CommitProtocol _commit;
    private Activity? _span;

    public IngestRun(PipelineSettings settings)
    {
        _settings = settings;
        _backends = settings.Backends;
        _time = settings.TimeProvider;
        _logger = settings.LoggerFactory.CreateLogger("Ingest.Engine");
        _commit = new CommitProtocol(_backends.Lake, _backends.Ledger, _logger);
    }

    public async Task<IngestRunResult> ExecuteAsync(IReadOnlyList<IngestInput> inputs, CancellationToken cancellationToken)
    {
        using var span = IngestTelemetry.StartRun(_settings.Dataset);
        _span = span;
        try
        {
            return await ExecuteRunAsync(inputs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            IngestTelemetry.Failed(span, ex);
            throw;
        }
    }

    private async Task<IngestRunResult> ExecuteRunAsync(IReadOnlyList<IngestInput> inputs, CancellationToken cancellationToken)
    {
        var dataset = _settings.Dataset;
        IngestRunCounters.Begin();
        var registered = await _backends.Registry.GetRequiredAsync(dataset, _settings.Version, cancellationToken).ConfigureAwait(false);

        // A registry stores definitions whatever rules and formats they name; this host must know them, before it changes anything.
        if (!registered.Definition.Source.Format.IsBuiltIn || registered.Definition.Quality.Rules.Any(r => !r.Type.IsBuiltIn))
        {
            DatasetDefinitionSerializer.EnsureValid(registered.Definition, _settings.Extensions, string.Create(CultureInfo.InvariantCulture, $"registered definition {dataset} v{registered.Version}"));
        }

        var started = _time.GetTimestamp();
        var startedAt = TruncateToMicros(_time.GetUtcNow());
        var runId = NewRunId(startedAt);
        var owner = new LeaseOwner(runId, Environment.MachineName, Environment.ProcessId);
        IngestTelemetry.RunStarted(_span, runId, registered.Version, registered.Definition.Engine.Kind);

        await IngestTelemetry.StageAsync(IngestTelemetry.LeaseStage, () => AcquireLeaseAsync(dataset, owner, cancellationToken)).ConfigureAwait(false);
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewal = new CancellationTokenSource();
        var renewal = RenewLeaseAsync(dataset, runId, leaseLost, stopRenewal.Token);
        var run = new RunRecord
        {
            RunId = runId,
            Dataset = dataset,
            DefinitionVersion = registered.Version,
            Status = RunStatus.Running,
            StartedAt = startedAt,
        };
        try
        {
            var table = registered.Definition.TableFormat == TableFormat.Iceberg
                ? new IcebergTable(registered, _backends.IcebergCatalog, _backends.Lake, _time)
                : null;
            var rolledForward = await IngestTelemetry.StageAsync(IngestTelemetry.RecoverStage, () => _commit.RecoverAsync(dataset, runId, startedAt, table is null ? null : table.HasSnapshotOfAsync, leaseLost.Token)).ConfigureAwait(false);
            if (_backends.Catalog is { } catalog)
            {
                await IngestTelemetry.StageAsync(IngestTelemetry.CatalogTableStage, () => catalog.EnsureTableAsync(registered, leaseLost.Token)).ConfigureAwait(false);
            }

            await _backends.Ledger.StartRunAsync(run, leaseLost.Token).ConfigureAwait(false);
            Log.RunStarted(_logger, runId, dataset.ToString(), registered.Version, inputs.Count);
            var work = new RunWork(this, registered, run, inputs, table, rolledForward);
            try
            {
                var outcome = await work.ExecuteAsync(leaseLost.Token).ConfigureAwait(false);
                var elapsed = _time.GetElapsedTime(started);
                if (outcome.Run.Status == RunStatus.Succeeded)
                {
                    Log.RunSucceeded(_logger, runId, dataset.ToString(), outcome.Run.RowsRead, outcome.Run.RowsWritten, outcome.Run.RowsRejected, (long)elapsed.TotalMilliseconds);
                }

                Notify(outcome.Run);
                if (outcome.Run.Status == RunStatus.Succeeded && table is not null && registered.Definition.Table.Maintenance.AfterRuns)
                {
                    outcome = outcome with { Maintenance = await MaintainAfterRunAsync(registered, runId, leaseLost.Token).ConfigureAwait(false) };
                }

                return outcome with { Elapsed = elapsed };
            }
            catch (Exception ex) when (work.Committed && ex is not OperationCanceledException)
            {
                // Past the commit point the run's rows are published: never tell the caller to retry (a forced re-run
                // would ingest the inputs twice). The next run of the dataset completes what is left.
                throw new IngestException(
                    $"Run {runId} of {dataset} is committed (its rows are published), but completing it failed: {ex.Message} The next run of {dataset} completes it; do not re-run its inputs with --force.",
                    ex)
                {
                    Dataset = dataset,
                    RunId = runId,
                    IsTransient = false,
                };
            }
            catch (Exception ex) when (!work.Committed)
            {
                Exception error = leaseLost.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                    ? new ConcurrencyConflictException($"Run {runId} of {dataset} lost its lease (another process took it over); nothing was published.") { Dataset = dataset, RunId = runId }
                    : EnvironmentFailure(dataset, runId, ex) ?? ex;
                await work.DeleteUnpublishedAsync().ConfigureAwait(false);
                await FailAsync(work.Snapshot(), error, CancellationToken.None).ConfigureAwait(false);
                if (ReferenceEquals(error, ex))
                {
                    throw;
                }

                throw error;
            }
        }
        finally
        {
            await stopRenewal.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            await _backends.Ledger.ReleaseLeaseAsync(dataset, runId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Maintains the table while the run still holds the dataset's lease (no other run commits meanwhile): each step does
    /// nothing unless its threshold is crossed. A failure is logged, never the run's: its rows are committed.
    /// </summary>
    private async Task<MaintenanceReport?> MaintainAfterRunAsync(RegisteredDefinition registered, string runId, CancellationToken cancellationToken)
    {
        try
        {
            var report = await TableMaintenance.MaintainAsync(registered, _backends.Lake, _backends.IcebergCatalog!, _backends.Ledger, new MaintenanceOptions { Time = _time, ReaderWait = TimeSpan.FromSeconds(5) }, cancellationToken).ConfigureAwait(false);
            Log.MaintainedAfterRun(_logger, registered.Dataset.ToString(), runId, report.Compaction?.FilesRemoved ?? 0, report.Expiry?.Expired.Count ?? 0, report.Orphans?.Files.Count ?? 0);
            return report;
        }
        catch (Exception ex) when (ex is IngestException or IOException or UnauthorizedAccessException)
        {
            Log.MaintenanceAfterRunFailed(_logger, ex, registered.Dataset.ToString(), runId, ex.Message);
            return null;
        }
    }

    internal PipelineSettings Settings => _settings;

    internal IngestBackends Backends => _backends;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    internal CommitProtocol Commit => _commit;

    private async Task FailAsync(RunRecord run, Exception error, CancellationToken cancellationToken)
    {
        var message = error is OperationCanceledException ? "The run was cancelled; nothing was published." : error.Message;
        Log.RunFailed(_logger, error, run.RunId, run.Dataset.ToString(), message);
        try
        {
            await _commit.DiscardAsync(run.Dataset, run.RunId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Nothing of a failed run is published: its accepted rows were staged only.
            var failed = run with { Status = RunStatus.Failed, EndedAt = _time.GetUtcNow(), Error = message, RowsStaged = run.RowsWritten, RowsWritten = 0, FilesWritten = [], PartitionsWritten = [] };
            await _backends.Ledger.CompleteRunAsync(failed, cancellationToken).ConfigureAwait(false);
            Notify(failed);
        }
    }

    /// <summary>Tells the observers about a run recorded in the ledger; their failures never change the run's outcome.</summary>
    private void Notify(RunRecord run)
    {
        IngestTelemetry.RunEnded(_span, run);
        IngestTelemetry.RecordRun(run);
        foreach (var observer in _settings.Observers)
        {
            try
            {
                observer.OnRunCompleted(run);
            }
            catch (Exception ex)
            {
                Log.RunObserverFailed(_logger, ex, run.RunId, run.Dataset.ToString(), observer.GetType().Name, ex.Message);
            }
        }
    }

    private async Task AcquireLeaseAsync(DatasetId dataset, LeaseOwner owner, CancellationToken cancellationToken)
    {
        var ledger = _backends.Ledger;
        var duration = _settings.Options.LeaseDuration;
        var result = await ledger.TryAcquireLeaseAsync(dataset, owner, duration, null, cancellationToken).ConfigureAwait(false);
        if (result.Acquired)
        {
            return;
        }

        var holder = result.Current.Owner;
        if (IsDeadLocalProcess(holder))
        {
            result = await ledger.TryAcquireLeaseAsync(dataset, owner, duration, holder.RunId, cancellationToken).ConfigureAwait(false);
            if (result.Acquired)
            {
                Log.LeaseTakenOver(_logger, owner.RunId, dataset.ToString(), holder.RunId, holder.ProcessId, holder.Host);
                IngestTelemetry.LeaseTakeover(dataset);
                return;
            }

            holder = result.Current.Owner;
        }

        IngestTelemetry.LeaseConflict(dataset);
        throw new ConcurrencyConflictException(
            string.Create(CultureInfo.InvariantCulture, $"Dataset {dataset} is being ingested by run {holder.RunId} (process {holder.ProcessId} on {holder.Host}); its lease lasts until {result.Current.ExpiresAt:u}. Wait for it to finish, or for the lease to expire if that process died."))
        {
            Dataset = dataset,
            RunId = holder.RunId,
            IsTransient = true,
        };
    }

    private static bool IsDeadLocalProcess(LeaseOwner holder)
    {
        if (!string.Equals(holder.Host, Environment.MachineName, StringComparison.Ordinal) || holder.ProcessId == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(holder.ProcessId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private async Task RenewLeaseAsync(DatasetId dataset, string runId, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        var duration = _settings.Options.LeaseDuration;
        var interval = duration / 3;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, stop).ConfigureAwait(false);
                if (!await _backends.Ledger.RenewLeaseAsync(dataset, runId, duration, stop).ConfigureAwait(false))
                {
                    Log.LeaseRenewalFailed(_logger, null, runId, dataset.ToString(), "the lease is held by another run");
                    await leaseLost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Try again at the next interval: the lease is still valid until it expires, and the check right
                // before the commit point decides. A renewal error must never fault this task, which the run awaits
                // last: it would replace the run's own outcome (even a committed run's) with the error.
                Log.LeaseRenewalFailed(_logger, ex, runId, dataset.ToString(), ex.Message);
            }
        }
    }

    /// <summary>A failure of the lake's environment (disk full, read-only, permission denied) as one line naming the dataset and the lake.</summary>
    private LakeEnvironmentException? EnvironmentFailure(DatasetId dataset, string runId, Exception ex)
    {
        if (ex is IngestException || LakeEnvironmentException.Classify(ex) is not { } problem)
        {
            return null;
        }

        var lake = _backends.Lake.GetAddress(LakeZone.Curated, string.Empty);
        return new LakeEnvironmentException(
            $"Dataset {dataset}: the lake at {lake} cannot be written: {problem} ({ex.Message}). Nothing was published; free space or fix the permissions of the lake (or point it elsewhere), then run again.",
            problem,
            ex)
        {
            Dataset = dataset,
            RunId = runId,
            Location = lake,
        };
    }

    internal static DateTimeOffset TruncateToMicros(DateTimeOffset value)
        => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    private static string NewRunId(DateTimeOffset startedAt)
        => string.Create(CultureInfo.InvariantCulture, $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
}
