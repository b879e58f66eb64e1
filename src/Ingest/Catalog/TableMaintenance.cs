using System.Globalization;
using Ingest.Definitions;
using Ingest.Engine.Tables;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Catalog;

/// <summary>The steps of <see cref="TableMaintenance.MaintainAsync"/>.</summary>
[Flags]
public enum MaintenanceSteps
{
    /// <summary>No step.</summary>
    None = 0,

    /// <summary>Rewrite the small files of a partition into files of the target size (one <c>replace</c> snapshot).</summary>
    Compact = 1,

    /// <summary>Expire snapshots past retention and delete the files only they referenced.</summary>
    ExpireSnapshots = 2,

    /// <summary>Delete files under the table that no snapshot references (runs that died before their commit).</summary>
    RemoveOrphans = 4,

    /// <summary>Every step, in the order compact, expire, remove orphans.</summary>
    All = Compact | ExpireSnapshots | RemoveOrphans,
}

/// <summary>Options of <see cref="TableMaintenance.MaintainAsync"/>; what is not set comes from the definition's <see cref="TableMaintenanceSettings"/> and the table's properties.</summary>
public sealed record MaintenanceOptions
{
    /// <summary>Gets the steps to run.</summary>
    /// <value>The default is <see cref="MaintenanceSteps.All"/>.</value>
    public MaintenanceSteps Steps { get; init; } = MaintenanceSteps.All;

    /// <summary>Gets whether to only report what would be done (nothing is written or deleted).</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets how long snapshots are kept after their commit; <see langword="null"/>: the table's <c>history.expire.max-snapshot-age-ms</c>.</summary>
    public TimeSpan? RetainFor { get; init; }

    /// <summary>Gets how many snapshots of the current history are always kept; <see langword="null"/>: the table's <c>history.expire.min-snapshots-to-keep</c>.</summary>
    public int? RetainLast { get; init; }

    /// <summary>Gets the age at which an unreferenced file is an orphan; <see langword="null"/>: <see cref="TableMaintenanceSettings.OrphanGraceHours"/>.</summary>
    public TimeSpan? OrphanGrace { get; init; }

    /// <summary>Gets how long expiry waits for readers that hold a snapshot it would expire; after that those snapshots stay until the next maintenance.</summary>
    /// <value>The default is one minute.</value>
    public TimeSpan ReaderWait { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets the clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>What compaction did (or, in a dry run, would do).</summary>
public sealed record CompactionReport
{
    /// <summary>Gets whether this is what a dry run would do.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets the partitions whose small files were rewritten.</summary>
    public int Partitions { get; init; }

    /// <summary>Gets the small files replaced.</summary>
    public int FilesRemoved { get; init; }

    /// <summary>Gets the files written in their place (a dry run: the expected number).</summary>
    public int FilesAdded { get; init; }

    /// <summary>Gets the live data files before.</summary>
    public int FilesBefore { get; init; }

    /// <summary>Gets the live data files after.</summary>
    public int FilesAfter { get; init; }

    /// <summary>Gets the partitions whose rows were written ordered by the keys (<see cref="TableMaintenanceSettings.SortByKeys"/>).</summary>
    public int PartitionsSorted { get; init; }

    /// <summary>Gets the bytes of the small files rewritten.</summary>
    public long BytesRewritten { get; init; }

    /// <summary>Gets the rows rewritten (the table's rows do not change).</summary>
    public long Records { get; init; }

    /// <summary>Gets the <c>replace</c> snapshot committed, if any.</summary>
    public long? SnapshotId { get; init; }

    /// <summary>Gets why compaction gave up without changing the table (a concurrent overwrite replaced files it rewrote), if it did.</summary>
    public string? GaveUp { get; init; }
}

/// <summary>What snapshot expiry did (or, in a dry run, would do).</summary>
public sealed record SnapshotExpiryReport
{
    /// <summary>Gets whether this is what a dry run would do.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets the snapshots expired.</summary>
    public IReadOnlyList<long> Expired { get; init; } = [];

    /// <summary>Gets the snapshots past retention kept because a reader held them.</summary>
    public IReadOnlyList<long> HeldByReaders { get; init; } = [];

    /// <summary>Gets the data files deleted.</summary>
    public int DataFilesDeleted { get; init; }

    /// <summary>Gets the manifests, manifest lists and metadata files deleted.</summary>
    public int MetadataFilesDeleted { get; init; }

    /// <summary>Gets the bytes deleted.</summary>
    public long BytesDeleted { get; init; }

    /// <summary>Gets the table's new metadata version, when snapshots were expired.</summary>
    public string? MetadataLocation { get; init; }
}

/// <summary>What orphan removal did (or, in a dry run, would do).</summary>
public sealed record OrphanRemovalReport
{
    /// <summary>Gets whether this is what a dry run would do.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets the keys of the curated-zone files deleted.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Gets the bytes deleted.</summary>
    public long BytesDeleted { get; init; }
}

/// <summary>The outcome of <see cref="TableMaintenance.MaintainAsync"/>: one report per step run.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="DryRun">Whether nothing was changed.</param>
/// <param name="JournalsFinished">Journals of an earlier expiry that died after its swap, finished first.</param>
/// <param name="Compaction">The compaction, when run.</param>
/// <param name="Expiry">The expiry, when run.</param>
/// <param name="Orphans">The orphan removal, when run.</param>
public sealed record MaintenanceReport(DatasetId Dataset, bool DryRun, int JournalsFinished, CompactionReport? Compaction, SnapshotExpiryReport? Expiry, OrphanRemovalReport? Orphans)
{
    /// <summary>Gets the bytes the lake holds less (expired and orphan files).</summary>
    public long BytesSaved => (Expiry?.BytesDeleted ?? 0) + (Orphans?.BytesDeleted ?? 0);
}

/// <summary>
/// Keeps a dataset's Iceberg table healthy: compaction of small files, snapshot expiry and orphan removal, each one
/// atomic swap of the table's metadata pointer (or a deletion of files no snapshot references), so readers never see a
/// partial state and a reader bound to a retained snapshot keeps working. Readers that read a table's files directly
/// take a <see cref="HoldAsync">hold</see> so that expiry does not delete files under them.
/// </summary>
public static class TableMaintenance
{
    /// <summary>Runs the maintenance steps of <paramref name="options"/> on the dataset's Iceberg table.</summary>
    /// <exception cref="ArgumentException">The dataset is not an Iceberg table.</exception>
    /// <exception cref="ConcurrencyConflictException">Expiry kept losing its swap to committing runs; nothing changed.</exception>
    public static async Task<MaintenanceReport> MaintainAsync(
        RegisteredDefinition definition,
        ILakeStorage lake,
        IIcebergCatalog catalog,
        IRunLedger ledger,
        MaintenanceOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(ledger);
        options ??= new MaintenanceOptions();
        if (definition.Definition.TableFormat != TableFormat.Iceberg)
        {
            throw new ArgumentException($"Dataset {definition.Dataset} is a Hive table: maintenance applies to Iceberg tables (set \"table\": {{\"format\": \"iceberg\"}} in a new dataset).", nameof(definition));
        }

        var settings = definition.Definition.Table.Maintenance;
        var startedAt = options.Time.GetUtcNow();
        var maintenance = new IcebergMaintenance(definition, catalog, lake, options.Time);
        var journals = await maintenance.FinishJournalsAsync(options.DryRun, cancellationToken).ConfigureAwait(false);
        CompactionReport? compaction = null;
        SnapshotExpiryReport? expiry = null;
        OrphanRemovalReport? orphans = null;
        if (options.Steps.HasFlag(MaintenanceSteps.Compact))
        {
            var small = (long)(settings.SmallFileSizeMb ?? Math.Max(1, definition.Definition.Write.TargetFileSizeMb * 3 / 4)) << 20;
            compaction = await maintenance.CompactAsync(small, settings.CompactionMinFiles, options.DryRun, cancellationToken).ConfigureAwait(false);
        }

        if (options.Steps.HasFlag(MaintenanceSteps.ExpireSnapshots))
        {
            expiry = await maintenance.ExpireAsync(options.RetainFor, options.RetainLast, options.ReaderWait, options.DryRun, cancellationToken).ConfigureAwait(false);
        }

        if (options.Steps.HasFlag(MaintenanceSteps.RemoveOrphans))
        {
            var running = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var run in ledger.ListRunsAsync(definition.Dataset, cancellationToken).ConfigureAwait(false))
            {
                if (run.Status == RunStatus.Running)
                {
                    running.Add(run.RunId);
                }
            }

            var grace = options.OrphanGrace ?? TimeSpan.FromHours(settings.OrphanGraceHours);
            orphans = await maintenance.RemoveOrphansAsync(grace, running, options.DryRun, cancellationToken).ConfigureAwait(false);
        }

        var report = new MaintenanceReport(definition.Dataset, options.DryRun, journals, compaction, expiry, orphans);
        var compacted = compaction?.SnapshotId is null ? 0 : compaction.FilesRemoved;
        if (!options.DryRun && (compacted > 0 || expiry?.Expired.Count > 0 || orphans?.Files.Count > 0 || journals > 0))
        {
            await TableSnapshots.RecordAsync(ledger, definition, RunOperation.Maintenance, startedAt, new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["files-compacted"] = compacted,
                ["files-added"] = compaction?.SnapshotId is null ? 0 : compaction.FilesAdded,
                ["snapshots-expired"] = expiry?.Expired.Count ?? 0,
                ["orphans-deleted"] = orphans?.Files.Count ?? 0,
                ["bytes-saved"] = report.BytesSaved,
            }, CancellationToken.None).ConfigureAwait(false);
        }

        return report;
    }

    /// <summary>
    /// Holds the dataset's table for a reader: until the hold is disposed (or <paramref name="duration"/> passes, for a
    /// reader that died), expiry does not delete the files of any snapshot that was current from now on. Take it before
    /// resolving the snapshot to read.
    /// </summary>
    public static async Task<IAsyncDisposable> HoldAsync(RegisteredDefinition definition, ILakeStorage lake, TimeSpan duration, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(lake);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var key = DatasetLayout.ReaderHoldPrefix(definition.Dataset) + string.Create(CultureInfo.InvariantCulture, $"{now.ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}.json");
        var json = string.Create(CultureInfo.InvariantCulture, $"{{\"since\":{now.ToUnixTimeMilliseconds()},\"until\":{(now + duration).ToUnixTimeMilliseconds()}}}");
        var writer = await lake.OpenWriteAsync(LakeZone.Curated, key, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json), cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return new Hold(lake, key);
    }

    private sealed class Hold(ILakeStorage lake, string key) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await lake.DeleteAsync(LakeZone.Curated, key, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
