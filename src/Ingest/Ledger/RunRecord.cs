using Ingest.Definitions;

namespace Ingest.Ledger;

/// <summary>The states of a run.</summary>
public enum RunStatus
{
    /// <summary>The run holds the lease and is reading or writing.</summary>
    Running,

    /// <summary>Every file was committed; the counts are final.</summary>
    Succeeded,

    /// <summary>The run failed or died; nothing of it is visible in the lake.</summary>
    Failed,

    /// <summary>Every input had been ingested before; nothing was written.</summary>
    Skipped,
}

/// <summary>What a ledger record is the run of.</summary>
public enum RunOperation
{
    /// <summary>An ingest run: inputs read, rows written (the default; records written before operations existed are ingest runs).</summary>
    Ingest,

    /// <summary>A rollback of an Iceberg table to an earlier snapshot (<see cref="RunRecord.Counters"/>: <c>snapshot</c>, <c>previous-snapshot</c>).</summary>
    Rollback,

    /// <summary>Maintenance of an Iceberg table (<see cref="RunRecord.Counters"/>: files compacted, snapshots expired, orphans deleted, bytes saved).</summary>
    Maintenance,
}

/// <summary>One run of one dataset, as recorded in the ledger.</summary>
public sealed record RunRecord
{
    /// <summary>Gets what the run did: an ingest run unless it is a rollback or a table's maintenance.</summary>
    public RunOperation Operation { get; init; }

    /// <summary>Gets the run id (sortable by start time).</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the dataset.</summary>
    public required DatasetId Dataset { get; init; }

    /// <summary>Gets the definition version the run used.</summary>
    public required int DefinitionVersion { get; init; }

    /// <summary>Gets the status.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Gets when the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the run ended, if it has.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Gets the number of rows read from the sources.</summary>
    public long RowsRead { get; init; }

    /// <summary>Gets the number of rows written to the curated zone and published (0 for a run that failed).</summary>
    public long RowsWritten { get; init; }

    /// <summary>Gets the number of rows a failed run had accepted and staged before it stopped; none of them was published.</summary>
    public long RowsStaged { get; init; }

    /// <summary>Gets the number of rows written to the quarantine zone.</summary>
    public long RowsRejected { get; init; }

    /// <summary>Gets the curated and quarantine objects the run published (zone/key).</summary>
    public IReadOnlyList<string> FilesWritten { get; init; } = [];

    /// <summary>
    /// Gets the quarantine-zone keys where a failed run kept its rejected rows, apart from the published quarantine
    /// (under <c>quarantine/_failed_runs/</c>); read them with <see cref="Storage.RunRejects"/>.
    /// </summary>
    /// <value>The default is empty: a succeeded run's rejects are published (<see cref="FilesWritten"/>), other failures keep none.</value>
    public IReadOnlyList<string> RejectsKept { get; init; } = [];

    /// <summary>Gets the partitions the run wrote to (<c>name=value/…</c>).</summary>
    public IReadOnlyList<string> PartitionsWritten { get; init; } = [];

    /// <summary>Gets the inputs of the run with their fingerprints.</summary>
    public IReadOnlyList<SourceFingerprint> Sources { get; init; } = [];

    /// <summary>Gets the error of a failed run.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Gets the incremental cursors the run advanced to, by source (for example <c>orders.updated_at</c> →
    /// <c>2024-06-01T10:00:00.000000Z</c>). They are part of the run's record, so they advance exactly when the run's
    /// data is committed and never for a failed run; read them with <see cref="RunLedgerExtensions.GetWatermarkAsync"/>.
    /// </summary>
    /// <value>The default is empty.</value>
    public IReadOnlyDictionary<string, string> Watermarks { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets counters the backends kept during the run, such as <c>aws.retries</c> (a backend's retried requests), <c>ingest.bytes_read</c> and <c>ingest.bytes_written</c>.</summary>
    /// <value>The default is empty.</value>
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
}

/// <summary>An input identified by its content.</summary>
/// <param name="Sha256">The lower-case hex SHA-256 of the bytes.</param>
/// <param name="Name">The file name as given.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="RawKey">The key in the raw zone where the bytes are kept.</param>
/// <param name="RunId">The run that ingested it.</param>
/// <param name="Skipped">Whether this run skipped the input because an earlier run had ingested it.</param>
public sealed record SourceFingerprint(string Sha256, string Name, long Size, string RawKey, string RunId, bool Skipped = false);

/// <summary>Who holds a dataset's lease.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Host">The machine name.</param>
/// <param name="ProcessId">The process id on that machine.</param>
public sealed record LeaseOwner(string RunId, string Host, int ProcessId);

/// <summary>A dataset's lease: at most one live run per dataset.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Owner">The holder.</param>
/// <param name="ExpiresAt">When the lease lapses unless renewed.</param>
public sealed record Lease(DatasetId Dataset, LeaseOwner Owner, DateTimeOffset ExpiresAt);

/// <summary>The outcome of a lease request.</summary>
/// <param name="Acquired">Whether the caller now holds the lease.</param>
/// <param name="Current">The lease as it stands: the caller's when acquired, else the other holder's.</param>
public sealed record LeaseResult(bool Acquired, Lease Current);
