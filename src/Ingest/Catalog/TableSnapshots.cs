using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Engine.Tables;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Catalog;

/// <summary>The data files of one committed snapshot of a dataset's table: what a reader reads to see exactly that state.</summary>
/// <param name="MetadataLocation">The table metadata file the files were resolved from (<see langword="null"/> when the table does not exist yet).</param>
/// <param name="SnapshotId">The snapshot (<see langword="null"/> when the table has none).</param>
/// <param name="Files">The data files' addresses (<see cref="ILakeStorage.GetAddress"/>), in manifest order.</param>
/// <param name="Records">The rows the snapshot's manifests record.</param>
public sealed record TableSnapshotFiles(string? MetadataLocation, long? SnapshotId, IReadOnlyList<string> Files, long Records);

/// <summary>A committed snapshot of a dataset's Iceberg table: what the run that wrote it did, and where it stands in the history.</summary>
public sealed record TableSnapshot
{
    /// <summary>Gets the snapshot id.</summary>
    public required long SnapshotId { get; init; }

    /// <summary>Gets the snapshot it was built on (<see langword="null"/> for the table's first).</summary>
    public long? ParentSnapshotId { get; init; }

    /// <summary>Gets when it was committed.</summary>
    public required DateTimeOffset CommittedAt { get; init; }

    /// <summary>Gets the Iceberg operation: <c>append</c> or <c>overwrite</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Gets the run that wrote it, when Ingest wrote it.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the SHA-256 fingerprints of the run's inputs.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Gets the definition version the run used.</summary>
    public int? DefinitionVersion { get; init; }

    /// <summary>Gets the Iceberg schema id of the snapshot.</summary>
    public int SchemaId { get; init; }

    /// <summary>Gets the rows and data files it added and removed, and the table's totals after it.</summary>
    public long AddedRecords { get; init; }

    /// <summary>Gets the rows it removed (an overwrite or merge).</summary>
    public long DeletedRecords { get; init; }

    /// <summary>Gets the data files it added.</summary>
    public long AddedFiles { get; init; }

    /// <summary>Gets the data files it removed.</summary>
    public long DeletedFiles { get; init; }

    /// <summary>Gets the table's rows at this snapshot.</summary>
    public long TotalRecords { get; init; }

    /// <summary>Gets the table's data files at this snapshot.</summary>
    public long TotalFiles { get; init; }

    /// <summary>Gets whether readers see this snapshot now.</summary>
    public bool IsCurrent { get; init; }

    /// <summary>Gets whether a rollback took it out of the current history (it stays readable by id until it expires).</summary>
    public bool IsRolledBack { get; init; }
}

/// <summary>Which state of a table to read: a snapshot id, or the snapshot current at an instant.</summary>
public readonly record struct TableVersion
{
    private TableVersion(long? snapshotId, DateTimeOffset? timestamp) => (SnapshotId, Timestamp) = (snapshotId, timestamp);

    /// <summary>Gets the snapshot id, when the version names one.</summary>
    public long? SnapshotId { get; }

    /// <summary>Gets the instant, when the version is the snapshot current at that time.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>The snapshot with this id.</summary>
    public static TableVersion OfSnapshot(long snapshotId) => new(snapshotId, null);

    /// <summary>The snapshot that was current at <paramref name="timestamp"/> (the last committed at or before it).</summary>
    public static TableVersion AsOf(DateTimeOffset timestamp) => new(null, timestamp);

    /// <summary>Parses a snapshot id (digits) or an ISO 8601 instant (<c>2024-05-01T10:00:00Z</c>; without an offset, UTC).</summary>
    /// <exception cref="FormatException">The text is neither.</exception>
    public static TableVersion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return OfSnapshot(id);
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            return AsOf(at);
        }

        throw new FormatException($"'{text}' is neither a snapshot id (digits, as ingest snapshots lists them) nor an instant such as 2024-05-01T10:00:00Z.");
    }

    /// <inheritdoc />
    public override string ToString() => SnapshotId is { } id
        ? id.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Timestamp!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The outcome of <see cref="TableSnapshots.RollbackAsync"/>.</summary>
/// <param name="SnapshotId">The snapshot that is current now.</param>
/// <param name="PreviousSnapshotId">The snapshot that was current before.</param>
/// <param name="MetadataLocation">The new metadata version.</param>
/// <param name="RunsRolledBack">The runs whose snapshots are no longer in the current history, newest first: their inputs can be ingested again.</param>
public sealed record TableRollback(long SnapshotId, long? PreviousSnapshotId, string MetadataLocation, IReadOnlyList<TableSnapshot> RunsRolledBack);

/// <summary>
/// A dataset's Iceberg table history: the files of a snapshot (for query engines and readers that read Parquet files
/// directly), the list of snapshots, time travel and rollback.
/// </summary>
public static class TableSnapshots
{
    /// <summary>Lists the table's snapshots, newest first (none before the first commit).</summary>
    /// <exception cref="ArgumentException">The dataset is not an Iceberg table.</exception>
    public static async Task<IReadOnlyList<TableSnapshot>> ListAsync(RegisteredDefinition definition, ILakeStorage lake, IIcebergCatalog catalog, CancellationToken cancellationToken = default)
    {
        var (_, metadata) = await Open(definition, lake, catalog).LoadAsync(cancellationToken).ConfigureAwait(false);
        return metadata is null ? [] : Describe(metadata);
    }

    /// <summary>Returns the id of the snapshot that <paramref name="version"/> names, checked against the table.</summary>
    /// <exception cref="SnapshotNotFoundException">The table has no such snapshot, or had none at that instant.</exception>
    public static async Task<long> ResolveVersionAsync(RegisteredDefinition definition, ILakeStorage lake, IIcebergCatalog catalog, TableVersion version, CancellationToken cancellationToken = default)
    {
        var (_, metadata) = await Open(definition, lake, catalog).LoadAsync(cancellationToken).ConfigureAwait(false);
        long? id = version.SnapshotId is { } wanted
            ? metadata?.Snapshot(wanted)?.SnapshotId
            : metadata is null ? null : Tables.Iceberg.IcebergTableScan.SnapshotAsOf(metadata, version.Timestamp!.Value.ToUnixTimeMilliseconds());
        return id ?? throw new SnapshotNotFoundException(definition.Dataset, version.SnapshotId is not null
            ? $"Dataset {definition.Dataset} has no snapshot {version}; ingest snapshots {definition.Dataset} lists them."
            : $"Dataset {definition.Dataset} had no snapshot at {version} (its first commit is later); ingest snapshots {definition.Dataset} lists them.");
    }

    /// <summary>
    /// Makes an earlier snapshot current again as a new metadata version, by one compare-and-swap of the table's
    /// pointer: readers switch atomically and never see a mix; every snapshot stays in the history. The inputs of the
    /// runs rolled back out no longer count as ingested, so running them again ingests them.
    /// </summary>
    /// <exception cref="SnapshotNotFoundException">The table has no such snapshot.</exception>
    public static async Task<TableRollback> RollbackAsync(RegisteredDefinition definition, ILakeStorage lake, IIcebergCatalog catalog, IRunLedger ledger, long snapshotId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var table = Open(definition, lake, catalog);
        var startedAt = DateTimeOffset.UtcNow;
        var (_, before) = await table.LoadAsync(cancellationToken).ConfigureAwait(false);
        var location = await table.RollbackAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        var after = await table.ReadMetadataAsync(location, cancellationToken).ConfigureAwait(false);
        var wasCurrent = before is null ? new HashSet<long>() : IcebergTable.Lineage(before).Select(s => s.SnapshotId).ToHashSet();
        var rolledBack = Describe(after).Where(s => s.IsRolledBack && wasCurrent.Contains(s.SnapshotId)).ToList();
        var counters = new Dictionary<string, long>(StringComparer.Ordinal) { ["snapshot"] = snapshotId };
        if (before?.CurrentSnapshotId is { } previous)
        {
            counters["previous-snapshot"] = previous;
        }

        await RecordAsync(ledger, definition, RunOperation.Rollback, startedAt, counters, CancellationToken.None).ConfigureAwait(false);
        return new TableRollback(snapshotId, before?.CurrentSnapshotId, location, rolledBack);
    }

    /// <summary>Records a rollback or a maintenance in the ledger, as a run of its own that <c>ingest runs</c> lists.</summary>
    internal static async Task RecordAsync(IRunLedger ledger, RegisteredDefinition definition, RunOperation operation, DateTimeOffset startedAt, IReadOnlyDictionary<string, long> counters, CancellationToken cancellationToken)
    {
        var runId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}");
        var run = new RunRecord
        {
            RunId = runId,
            Dataset = definition.Dataset,
            DefinitionVersion = definition.Version,
            Status = RunStatus.Running,
            StartedAt = startedAt,
            Operation = operation,
        };
        await ledger.StartRunAsync(run, cancellationToken).ConfigureAwait(false);
        await ledger.CompleteRunAsync(run with { Status = RunStatus.Succeeded, EndedAt = DateTimeOffset.UtcNow, Counters = counters }, cancellationToken).ConfigureAwait(false);
    }

    private static IcebergTable Open(RegisteredDefinition definition, ILakeStorage lake, IIcebergCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(catalog);
        if (definition.Definition.TableFormat != TableFormat.Iceberg)
        {
            throw new ArgumentException($"Dataset {definition.Dataset} is a Hive table: it has no snapshots (set \"table\": {{\"format\": \"iceberg\"}} in a new dataset).", nameof(definition));
        }

        return new IcebergTable(definition, catalog, lake, TimeProvider.System);
    }

    private static List<TableSnapshot> Describe(Tables.Iceberg.IcebergTableMetadata metadata)
    {
        var current = IcebergTable.Lineage(metadata).Select(s => s.SnapshotId).ToHashSet();
        long Number(IReadOnlyDictionary<string, string> summary, string key)
            => summary.TryGetValue(key, out var text) && long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        return
        [
            .. metadata.Snapshots
                .OrderByDescending(s => s.SequenceNumber)
                .Select(s => new TableSnapshot
                {
                    SnapshotId = s.SnapshotId,
                    ParentSnapshotId = s.ParentSnapshotId,
                    CommittedAt = DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs),
                    Operation = s.Operation,
                    RunId = s.Summary.GetValueOrDefault(IcebergTable.RunIdProperty),
                    Inputs = [.. IcebergTable.InputsOf(s)],
                    DefinitionVersion = s.Summary.TryGetValue(IcebergTable.DefinitionVersionProperty, out var v) && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : null,
                    SchemaId = s.SchemaId,
                    AddedRecords = Number(s.Summary, "added-records"),
                    DeletedRecords = Number(s.Summary, "deleted-records"),
                    AddedFiles = Number(s.Summary, "added-data-files"),
                    DeletedFiles = Number(s.Summary, "deleted-data-files"),
                    TotalRecords = Number(s.Summary, "total-records"),
                    TotalFiles = Number(s.Summary, "total-data-files"),
                    IsCurrent = s.SnapshotId == metadata.CurrentSnapshotId,
                    IsRolledBack = !current.Contains(s.SnapshotId),
                }),
        ];
    }

    /// <summary>
    /// Returns the live data files of the Iceberg table's current snapshot (or of <paramref name="snapshotId"/>): one
    /// pointer read, one metadata file, its manifest list and manifests. Files of a snapshot are never deleted while it
    /// is retained, so a reader of this list never sees half a run and never misses a file.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset is not an Iceberg table.</exception>
    public static async Task<TableSnapshotFiles> ResolveAsync(
        RegisteredDefinition definition,
        ILakeStorage lake,
        IIcebergCatalog catalog,
        long? snapshotId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(catalog);
        if (definition.Definition.TableFormat != TableFormat.Iceberg)
        {
            throw new ArgumentException($"Dataset {definition.Dataset} is a Hive table: its files are read by listing its prefix.", nameof(definition));
        }

        var table = new IcebergTable(definition, catalog, lake, TimeProvider.System);
        var (location, metadata) = await table.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (metadata is null || (metadata.CurrentSnapshotId is null && snapshotId is null))
        {
            return new TableSnapshotFiles(location, null, [], 0);
        }

        var files = await IcebergTable.LiveFilesAsync(table.Files, metadata, snapshotId, cancellationToken).ConfigureAwait(false);
        return new TableSnapshotFiles(location, snapshotId ?? metadata.CurrentSnapshotId, [.. files.Select(f => f.FilePath)], files.Sum(f => f.RecordCount));
    }

    /// <summary>
    /// Returns the id of the snapshot that run <paramref name="runId"/> committed, or <see langword="null"/> when the table
    /// has none: a run the ledger still shows as running but whose snapshot exists passed its commit point (its rows are
    /// published) and is completed by the next run of the dataset.
    /// </summary>
    public static async Task<long?> FindRunAsync(RegisteredDefinition definition, ILakeStorage lake, IIcebergCatalog catalog, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var table = new IcebergTable(definition, catalog, lake, TimeProvider.System);
        var (_, metadata) = await table.LoadAsync(cancellationToken).ConfigureAwait(false);
        return metadata is null ? null : IcebergTable.FindRun(metadata, runId)?.SnapshotId;
    }
}
