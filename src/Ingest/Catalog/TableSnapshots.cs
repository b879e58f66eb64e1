using Ingest.Definitions;
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

/// <summary>Resolves the files of a table's snapshot, for query engines and readers that read Parquet files directly.</summary>
public static class TableSnapshots
{
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
