using Ingest.Definitions;
using Ingest.Ledger;

namespace Ingest.Testing;

/// <summary>
/// A <see cref="IRunLedger"/> kept in memory, for unit tests. Thread-safe; lease expiry is judged by the
/// <see cref="TimeProvider"/> given (a <c>FakeTimeProvider</c> lets a test expire a lease).
/// </summary>
public sealed class InMemoryRunLedger : IRunLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DatasetId, Lease> _leases = [];
    private readonly Dictionary<(DatasetId Dataset, string RunId), RunRecord> _runs = [];
    private readonly Dictionary<(DatasetId Dataset, string Sha256), SourceFingerprint> _sources = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty ledger.</summary>
    /// <param name="timeProvider">The clock that decides lease expiry; the system clock when <see langword="null"/>.</param>
    public InMemoryRunLedger(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets a snapshot of every run of every dataset, for assertions.</summary>
    public IReadOnlyList<RunRecord> Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs.Values];
            }
        }
    }

    /// <inheritdoc />
    public Task<LeaseResult> TryAcquireLeaseAsync(DatasetId dataset, LeaseOwner owner, TimeSpan duration, string? takeOverFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            if (_leases.TryGetValue(dataset, out var current)
                && current.ExpiresAt > now
                && !string.Equals(current.Owner.RunId, takeOverFrom, StringComparison.Ordinal))
            {
                return Task.FromResult(new LeaseResult(false, current));
            }

            var lease = new Lease(dataset, owner, now + duration);
            _leases[dataset] = lease;
            return Task.FromResult(new LeaseResult(true, lease));
        }
    }

    /// <inheritdoc />
    public Task<bool> RenewLeaseAsync(DatasetId dataset, string runId, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_leases.TryGetValue(dataset, out var current) || !string.Equals(current.Owner.RunId, runId, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            _leases[dataset] = current with { ExpiresAt = _timeProvider.GetUtcNow() + duration };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_leases.TryGetValue(dataset, out var current) && string.Equals(current.Owner.RunId, runId, StringComparison.Ordinal))
            {
                _leases.Remove(dataset);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryAdd((run.Dataset, run.RunId), run))
            {
                throw RunLedgerErrors.RunExists(run);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CompleteRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _runs[(run.Dataset, run.RunId)] = run;
            foreach (var source in RunLedgerErrors.SourcesToRecord(run))
            {
                _sources.TryAdd((run.Dataset, source.Sha256), source);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<RunRecord?> GetRunAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault((dataset, runId)));
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RunRecord> ListRunsAsync(DatasetId dataset, CancellationToken cancellationToken = default)
    {
        List<RunRecord> snapshot;
        lock (_gate)
        {
            snapshot = [.. _runs.Values
                .Where(r => r.Dataset == dataset)
                .OrderByDescending(r => r.StartedAt)
                .ThenByDescending(r => r.RunId, StringComparer.Ordinal)];
        }

        return AsyncSequence.From(snapshot, cancellationToken);

    }

    /// <inheritdoc />
    public Task<SourceFingerprint?> FindSourceAsync(DatasetId dataset, string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_sources.GetValueOrDefault((dataset, sha256)));
        }
    }
}
