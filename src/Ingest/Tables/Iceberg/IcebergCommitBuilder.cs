using System.Globalization;

namespace Ingest.Tables.Iceberg;

/// <summary>The result of preparing a commit: the new metadata and where to write it. Nothing is visible until a catalog swaps its pointer to it.</summary>
internal sealed record IcebergPreparedCommit(IcebergTableMetadata Metadata, string MetadataLocation, string? PreviousMetadataLocation);

/// <summary>
/// Prepares one snapshot over a table's current metadata: a new manifest for the added files; the current snapshot's
/// manifests carried over untouched unless they hold a removed file, in which case they are rewritten with that entry
/// deleted (status 2) and the others existing (status 0, their snapshot ids and sequence numbers kept); the manifest
/// list; and the new metadata (snapshot, snapshot log, metadata log, sequence number, summary totals). Writes the
/// manifests and the list through the file IO; the metadata file is the caller's to write and commit.
/// </summary>
internal sealed class IcebergCommitBuilder(IIcebergFileIO files, IcebergTableMetadata current, string? currentLocation)
{
    private IcebergSchema? _schema;
    private IReadOnlyDictionary<string, string>? _properties;

    public IcebergCommitBuilder WithSchema(IcebergSchema schema)
    {
        _schema = schema;
        return this;
    }

    public IcebergCommitBuilder WithProperties(IReadOnlyDictionary<string, string> properties)
    {
        _properties = properties;
        return this;
    }

    public async Task<IcebergPreparedCommit> CommitAsync(
        string operation,
        IReadOnlyList<IcebergDataFile> added,
        IReadOnlySet<string> removed,
        IReadOnlyDictionary<string, string> summary,
        long snapshotId,
        long nowMs,
        CancellationToken cancellationToken)
    {
        var metadata = _schema is null ? current : current.WithSchema(_schema);
        if (_properties is not null)
        {
            metadata = metadata with { Properties = new Dictionary<string, string>(metadata.Properties.Concat(_properties).GroupBy(p => p.Key).Select(g => g.Last()), StringComparer.Ordinal) };
        }

        var schema = metadata.CurrentSchema;
        var spec = metadata.DefaultSpec;
        var sequence = metadata.LastSequenceNumber + 1;
        var parent = metadata.CurrentSnapshot;
        var manifests = new List<IcebergManifestFile>();
        long deletedFiles = 0, deletedRecords = 0;
        var changedPartitions = new HashSet<string>(StringComparer.Ordinal);

        if (added.Count > 0)
        {
            var path = $"{metadata.Location}/metadata/{Guid.NewGuid()}-m0.avro";
            var (bytes, entry) = IcebergManifests.WriteManifest(path, schema, spec, snapshotId, sequence, [.. added.Select(f => new IcebergManifestEntry(1, snapshotId, sequence, sequence, f))]);
            await files.WriteAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            manifests.Add(entry);
            foreach (var file in added)
            {
                changedPartitions.Add(string.Join('/', file.Partition));
            }
        }

        if (parent is not null)
        {
            var rewrite = 1;
            foreach (var manifest in await ReadListAsync(parent.ManifestList, cancellationToken).ConfigureAwait(false))
            {
                var entries = await ReadManifestAsync(manifest, metadata, cancellationToken).ConfigureAwait(false);
                if (!entries.Any(e => e.Status != 2 && removed.Contains(e.File.FilePath)) && manifest.DeletedFilesCount == 0)
                {
                    manifests.Add(manifest);
                    continue;
                }

                // Deleted entries of earlier snapshots are dropped; removed files become deleted entries of this snapshot.
                var kept = new List<IcebergManifestEntry>();
                foreach (var e in entries.Where(e => e.Status != 2))
                {
                    if (removed.Contains(e.File.FilePath))
                    {
                        kept.Add(e with { Status = 2, SnapshotId = snapshotId });
                        deletedFiles++;
                        deletedRecords += e.File.RecordCount;
                        changedPartitions.Add(string.Join('/', e.File.Partition));
                    }
                    else
                    {
                        kept.Add(e with { Status = 0 });
                    }
                }

                if (kept.Count == 0)
                {
                    continue;
                }

                var path = $"{metadata.Location}/metadata/{Guid.NewGuid()}-m{rewrite++}.avro";
                var specOf = metadata.PartitionSpecs.First(s => s.SpecId == manifest.PartitionSpecId);
                var (bytes, entry) = IcebergManifests.WriteManifest(path, schema, specOf, snapshotId, sequence, kept);
                await files.WriteAsync(path, bytes, cancellationToken).ConfigureAwait(false);
                manifests.Add(entry);
            }
        }

        var listPath = string.Create(CultureInfo.InvariantCulture, $"{metadata.Location}/metadata/snap-{snapshotId}-1-{Guid.NewGuid()}.avro");
        await files.WriteAsync(listPath, IcebergManifests.WriteManifestList(snapshotId, parent?.SnapshotId, sequence, manifests), cancellationToken).ConfigureAwait(false);

        var totals = Totals(parent);
        var addedRecords = added.Sum(f => f.RecordCount);
        var fullSummary = new Dictionary<string, string>(summary, StringComparer.Ordinal)
        {
            ["operation"] = operation,
            ["added-data-files"] = Text(added.Count),
            ["added-records"] = Text(addedRecords),
            ["added-files-size"] = Text(added.Sum(f => f.FileSizeInBytes)),
            ["deleted-data-files"] = Text(deletedFiles),
            ["deleted-records"] = Text(deletedRecords),
            ["changed-partition-count"] = Text(changedPartitions.Count),
            ["total-data-files"] = Text(totals.Files + added.Count - deletedFiles),
            ["total-records"] = Text(totals.Records + addedRecords - deletedRecords),
            ["total-delete-files"] = "0",
            ["total-position-deletes"] = "0",
            ["total-equality-deletes"] = "0",
        };
        var snapshot = new IcebergSnapshot(snapshotId, parent?.SnapshotId, sequence, nowMs, listPath, fullSummary, schema.SchemaId);
        var version = currentLocation is null ? 1 : VersionOf(currentLocation) + 1;
        var next = metadata with
        {
            LastSequenceNumber = sequence,
            LastUpdatedMs = nowMs,
            CurrentSnapshotId = snapshotId,
            Snapshots = [.. metadata.Snapshots, snapshot],
            SnapshotLog = [.. metadata.SnapshotLog, (nowMs, snapshotId)],
            MetadataLog = currentLocation is null ? metadata.MetadataLog : [.. metadata.MetadataLog, (current.LastUpdatedMs, currentLocation)],
        };
        var location = string.Create(CultureInfo.InvariantCulture, $"{metadata.Location}/metadata/{version:D5}-{Guid.NewGuid()}.metadata.json");
        return new IcebergPreparedCommit(next, location, currentLocation);
    }

    /// <summary>The version number in a metadata file name (<c>00007-uuid.metadata.json</c> → 7), or 0.</summary>
    public static int VersionOf(string location)
    {
        var name = location[(location.LastIndexOf('/') + 1)..];
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static (long Files, long Records) Totals(IcebergSnapshot? parent)
    {
        if (parent is null)
        {
            return (0, 0);
        }

        var s = parent.Summary;
        return (long.Parse(s.GetValueOrDefault("total-data-files", "0"), CultureInfo.InvariantCulture), long.Parse(s.GetValueOrDefault("total-records", "0"), CultureInfo.InvariantCulture));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private Task<List<IcebergManifestFile>> ReadListAsync(string location, CancellationToken cancellationToken)
        => IcebergTableScan.ReadManifestListAsync(files, location, cancellationToken);

    private Task<List<IcebergManifestEntry>> ReadManifestAsync(IcebergManifestFile manifest, IcebergTableMetadata metadata, CancellationToken cancellationToken)
        => IcebergTableScan.ReadManifestAsync(files, manifest, metadata, cancellationToken);

    internal static async Task<MemoryStream> Buffered(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        return buffer;
    }
}

/// <summary>Reads the live data files of a snapshot: its manifest list, then each manifest's entries that are not deleted.</summary>
internal static class IcebergTableScan
{
    public static async Task<IReadOnlyList<IcebergDataFile>> ListFilesAsync(IIcebergFileIO files, IcebergTableMetadata metadata, long? snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = (snapshotId is { } id ? metadata.Snapshot(id) : metadata.CurrentSnapshot)
            ?? throw new IngestException($"Snapshot {snapshotId} is not in the table at {metadata.Location}.");
        var result = new List<IcebergDataFile>();
        foreach (var manifest in await ReadManifestListAsync(files, snapshot.ManifestList, cancellationToken).ConfigureAwait(false))
        {
            var entries = await ReadManifestAsync(files, manifest, metadata, cancellationToken).ConfigureAwait(false);
            result.AddRange(entries.Where(e => e.Status != 2).Select(e => e.File));
        }

        return result;
    }

    /// <summary>Reads a snapshot's manifest list.</summary>
    public static async Task<List<IcebergManifestFile>> ReadManifestListAsync(IIcebergFileIO files, string location, CancellationToken cancellationToken)
    {
        var stream = await files.OpenReadAsync(location, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return IcebergManifests.ReadManifestList(await IcebergCommitBuilder.Buffered(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Reads a manifest's entries (deleted ones included) with the partition spec it was written with.</summary>
    public static async Task<List<IcebergManifestEntry>> ReadManifestAsync(IIcebergFileIO files, IcebergManifestFile manifest, IcebergTableMetadata metadata, CancellationToken cancellationToken)
    {
        var stream = await files.OpenReadAsync(manifest.ManifestPath, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var spec = metadata.PartitionSpecs.First(s => s.SpecId == manifest.PartitionSpecId);
            return IcebergManifests.ReadManifest(await IcebergCommitBuilder.Buffered(stream, cancellationToken).ConfigureAwait(false), manifest, metadata.CurrentSchema, spec);
        }
    }

    /// <summary>The snapshot current at <paramref name="timestampMs"/> (the last one committed at or before it), from the snapshot log.</summary>
    public static long? SnapshotAsOf(IcebergTableMetadata metadata, long timestampMs)
        => metadata.SnapshotLog.Where(e => e.TimestampMs <= timestampMs).Select(e => (long?)e.SnapshotId).LastOrDefault();
}
