using Ingest.Definitions;

namespace Ingest.Ledger;

/// <summary>
/// The run ledger: one record per run, the per-dataset lease, and the fingerprints of ingested inputs.
/// Implementations: SQLite (Ingest.Local), memory (Ingest.Testing), DynamoDB (Ingest.Aws).
/// Every state change is conditional so that concurrent writers cannot overwrite each other.
/// </summary>
public interface IRunLedger
{
    /// <summary>
    /// Takes the dataset's lease for <paramref name="duration"/> if it is free or expired, or if it is held by
    /// <paramref name="takeOverFrom"/> (a run the caller proved dead). Otherwise returns the current holder.
    /// </summary>
    Task<LeaseResult> TryAcquireLeaseAsync(DatasetId dataset, LeaseOwner owner, TimeSpan duration, string? takeOverFrom = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease held by <paramref name="runId"/>; returns <see langword="false"/> if it no longer holds it.</summary>
    Task<bool> RenewLeaseAsync(DatasetId dataset, string runId, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Releases the lease if <paramref name="runId"/> holds it; otherwise does nothing.</summary>
    Task ReleaseLeaseAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default);

    /// <summary>Records a new run (status <see cref="RunStatus.Running"/>).</summary>
    /// <exception cref="ConcurrencyConflictException">A run with the same id exists.</exception>
    Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the final state of a run and, when it succeeded, the fingerprints of the inputs it ingested,
    /// in one atomic change: either both are recorded or neither.
    /// </summary>
    Task CompleteRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Returns a run, or <see langword="null"/>.</summary>
    Task<RunRecord?> GetRunAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default);

    /// <summary>Lists a dataset's runs, newest first.</summary>
    IAsyncEnumerable<RunRecord> ListRunsAsync(DatasetId dataset, CancellationToken cancellationToken = default);

    /// <summary>Returns the fingerprint of an input already ingested into the dataset, or <see langword="null"/>.</summary>
    Task<SourceFingerprint?> FindSourceAsync(DatasetId dataset, string sha256, CancellationToken cancellationToken = default);
}
