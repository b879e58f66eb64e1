using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ingest.Catalog;
using Ingest.Engine.Writing;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Tables.Iceberg;

namespace Ingest.Engine.Tables;

/// <summary>
/// Keeps a dataset's Iceberg table healthy without disturbing readers: compaction (small files of a partition rewritten
/// as one <c>replace</c> snapshot), snapshot expiry (retention from the table's properties; files deleted only when no
/// retained snapshot references them and no reader holds a snapshot that references them) and orphan removal (files
/// under the table that no snapshot references, older than a grace period). Every change of the table is one
/// compare-and-swap of its metadata pointer, like a run's commit; an expiry that dies after its swap leaves a journal
/// that the next maintenance finishes.
/// </summary>
internal sealed partial class IcebergMaintenance
{
    /// <summary>How far before a reader's hold the snapshots it may have read are protected: the clock skew tolerated between hosts (NTP keeps it far smaller).</summary>
    public static readonly TimeSpan HoldSkew = TimeSpan.FromSeconds(5);

    private const string MetadataLogMaxProperty = "write.metadata.previous-versions-max";
    private const int MaxAttempts = 8;

    private readonly IcebergTable _table;
    private readonly ILakeStorage _lake;
    private readonly RegisteredDefinition _registered;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, List<IcebergManifestEntry>> _manifests = new(StringComparer.Ordinal);

    public IcebergMaintenance(RegisteredDefinition registered, IIcebergCatalog catalog, ILakeStorage lake, TimeProvider time)
    {
        _registered = registered;
        _lake = lake;
        _time = time;
        _table = new IcebergTable(registered, catalog, lake, time);
    }

    private Definitions.DatasetId Dataset => _registered.Dataset;

    // ---------------------------------------------------------------- journals

    /// <summary>
    /// Finishes what an expiry that died after its swap left: deletes every file its journal lists that the table's
    /// current metadata no longer references (a journal written before a swap that never happened lists files that are
    /// still referenced: they stay). Returns how many journals were finished.
    /// </summary>
    public async Task<int> FinishJournalsAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var journals = new List<string>();
        await foreach (var item in _lake.ListAsync(LakeZone.Curated, DatasetLayout.MaintenanceJournalPrefix(Dataset), cancellationToken).ConfigureAwait(false))
        {
            journals.Add(item.Key);
        }

        if (journals.Count == 0 || dryRun)
        {
            return journals.Count;
        }

        var (location, metadata) = await _table.LoadAsync(cancellationToken).ConfigureAwait(false);
        var referenced = metadata is null ? new HashSet<string>(StringComparer.Ordinal) : await ReferencedAsync(metadata, metadata.Snapshots, cancellationToken).ConfigureAwait(false);
        if (metadata is not null)
        {
            referenced.Add(location!);
            referenced.UnionWith(metadata.MetadataLog.Select(e => e.MetadataFile));
        }

        foreach (var journal in journals)
        {
            JsonObject content;
            var stream = await _lake.OpenReadAsync(LakeZone.Curated, journal, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                content = JsonNode.Parse(stream)?.AsObject() ?? [];
            }

            foreach (var path in content["delete"]?.AsArray().Select(n => (string)n!) ?? [])
            {
                if (!referenced.Contains(path))
                {
                    await _lake.DeleteAsync(LakeZone.Curated, _table.Files.KeyOf(path), cancellationToken).ConfigureAwait(false);
                }
            }

            await _lake.DeleteAsync(LakeZone.Curated, journal, cancellationToken).ConfigureAwait(false);
        }

        return journals.Count;
    }

    // ---------------------------------------------------------------- expiry

    /// <summary>Expires the snapshots past retention and deletes the files only they referenced.</summary>
    public async Task<SnapshotExpiryReport> ExpireAsync(TimeSpan? retainFor, int? retainLast, TimeSpan readerWait, bool dryRun, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            var (location, metadata) = await _table.LoadAsync(cancellationToken).ConfigureAwait(false);
            if (metadata?.CurrentSnapshotId is null)
            {
                return new SnapshotExpiryReport { DryRun = dryRun };
            }

            var now = _time.GetUtcNow();
            var maxAge = retainFor ?? TimeSpan.FromMilliseconds(Property(metadata, IcebergTable.MaxSnapshotAgeProperty, 7L * 86_400_000));
            var minKeep = retainLast ?? (int)Property(metadata, IcebergTable.MinSnapshotsToKeepProperty, 5);
            var cutoff = (now - maxAge).ToUnixTimeMilliseconds();
            var keep = IcebergTable.Lineage(metadata).Take(Math.Max(1, minKeep)).Select(s => s.SnapshotId).ToHashSet();
            keep.UnionWith(metadata.Snapshots.Where(s => s.TimestampMs >= cutoff).Select(s => s.SnapshotId));
            var candidates = metadata.Snapshots.Where(s => !keep.Contains(s.SnapshotId)).ToList();
            if (candidates.Count == 0)
            {
                return new SnapshotExpiryReport { DryRun = dryRun };
            }

            // A reader that holds the table may be reading any snapshot that was current since its hold began.
            var held = HeldSnapshots(metadata, await ActiveHoldsAsync(now, cancellationToken).ConfigureAwait(false));
            if (candidates.Any(s => held.Contains(s.SnapshotId)) && waited < readerWait && !dryRun)
            {
                var step = TimeSpan.FromMilliseconds(250);
                await Task.Delay(step, _time, cancellationToken).ConfigureAwait(false);
                waited += step;
                attempt--;
                continue;
            }

            var expired = candidates.Where(s => !held.Contains(s.SnapshotId)).ToList();
            var heldBack = candidates.Where(s => held.Contains(s.SnapshotId)).Select(s => s.SnapshotId).ToList();
            if (expired.Count == 0)
            {
                return new SnapshotExpiryReport { DryRun = dryRun, HeldByReaders = heldBack };
            }

            var retained = metadata.Snapshots.Where(s => !expired.Contains(s)).ToList();
            var stillReferenced = await ReferencedAsync(metadata, retained, cancellationToken).ConfigureAwait(false);
            var (dataFiles, otherFiles, bytes) = await ExpiredFilesAsync(metadata, expired, stillReferenced, cancellationToken).ConfigureAwait(false);

            // The metadata log keeps the versions written since the cutoff (at most write.metadata.previous-versions-max)
            // and always the one being replaced; older metadata files go with the snapshots they describe.
            var logMax = (int)Property(metadata, MetadataLogMaxProperty, 100);
            var log = metadata.MetadataLog.Where(e => e.TimestampMs >= cutoff).TakeLast(Math.Max(0, logMax - 1)).Append((metadata.LastUpdatedMs, location!)).ToList();
            var droppedMetadata = metadata.MetadataLog.Select(e => e.MetadataFile).Except(log.Select(e => e.Item2), StringComparer.Ordinal).Where(f => f != location).ToList();
            var report = new SnapshotExpiryReport
            {
                DryRun = dryRun,
                Expired = [.. expired.Select(s => s.SnapshotId)],
                HeldByReaders = heldBack,
                DataFilesDeleted = dataFiles.Count,
                MetadataFilesDeleted = otherFiles.Count + droppedMetadata.Count,
                BytesDeleted = bytes + await SizesAsync(droppedMetadata, cancellationToken).ConfigureAwait(false),
            };
            if (dryRun)
            {
                return report;
            }

            var lineage = IcebergTable.Lineage(metadata).Select(s => s.SnapshotId).ToHashSet();
            var expiredRolledBack = expired.Where(s => !lineage.Contains(s.SnapshotId)).Select(s => s.Summary.GetValueOrDefault(IcebergTable.RunIdProperty)).OfType<string>().ToList();
            var properties = new Dictionary<string, string>(metadata.Properties, StringComparer.Ordinal);
            if (expiredRolledBack.Count > 0)
            {
                var known = properties.TryGetValue(IcebergTable.ExpiredRolledBackRunsProperty, out var text) ? text.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
                properties[IcebergTable.ExpiredRolledBackRunsProperty] = string.Join(',', known.Concat(expiredRolledBack).Distinct(StringComparer.Ordinal));
            }

            var keptIds = retained.Select(s => s.SnapshotId).ToHashSet();
            var next = metadata with
            {
                LastUpdatedMs = now.ToUnixTimeMilliseconds(),
                Snapshots = retained,
                SnapshotLog = [.. metadata.SnapshotLog.Where(e => keptIds.Contains(e.SnapshotId))],
                MetadataLog = log,
                Properties = properties,
            };
            var newLocation = NextLocation(metadata, location!);

            // The journal names what to delete once the swap has happened, so that a kill in between loses nothing.
            var journal = DatasetLayout.MaintenanceJournalPrefix(Dataset) + $"expire-{Guid.NewGuid():N}.json";
            var toDelete = dataFiles.Concat(otherFiles).Concat(droppedMetadata).ToList();
            await WriteJournalAsync(journal, newLocation, toDelete, cancellationToken).ConfigureAwait(false);
            await _table.Files.WriteAsync(newLocation, System.Text.Encoding.UTF8.GetBytes(next.ToJson()), cancellationToken).ConfigureAwait(false);
            if (!await _table.SwapAsync(location, newLocation, cancellationToken).ConfigureAwait(false))
            {
                // Another writer committed first: nothing changed; plan again on its state.
                await _lake.DeleteAsync(LakeZone.Curated, _table.Files.KeyOf(newLocation), CancellationToken.None).ConfigureAwait(false);
                await _lake.DeleteAsync(LakeZone.Curated, journal, CancellationToken.None).ConfigureAwait(false);
                if (attempt >= MaxAttempts)
                {
                    throw new ConcurrencyConflictException($"Dataset {Dataset}: snapshot expiry lost {attempt} swaps to other writers; nothing changed. Run ingest maintain again when no run is committing.") { Dataset = Dataset, IsTransient = true };
                }

                continue;
            }

            // The pointer has moved: no retained snapshot references these files.
            foreach (var path in toDelete)
            {
                await _lake.DeleteAsync(LakeZone.Curated, _table.Files.KeyOf(path), CancellationToken.None).ConfigureAwait(false);
            }

            await _lake.DeleteAsync(LakeZone.Curated, journal, CancellationToken.None).ConfigureAwait(false);
            return report with { MetadataLocation = newLocation };
        }
    }

    private async Task<(List<string> Data, List<string> Other, long Bytes)> ExpiredFilesAsync(
        IcebergTableMetadata metadata, List<IcebergSnapshot> expired, HashSet<string> stillReferenced, CancellationToken cancellationToken)
    {
        var data = new HashSet<string>(StringComparer.Ordinal);
        var other = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var snapshot in expired)
        {
            var manifests = await ManifestListAsync(snapshot, cancellationToken).ConfigureAwait(false);
            if (manifests is null)
            {
                continue;
            }

            if (!stillReferenced.Contains(snapshot.ManifestList) && other.Add(snapshot.ManifestList))
            {
                bytes += (await _lake.GetAsync(LakeZone.Curated, _table.Files.KeyOf(snapshot.ManifestList), cancellationToken).ConfigureAwait(false))?.Size ?? 0;
            }

            foreach (var manifest in manifests)
            {
                if (!stillReferenced.Contains(manifest.ManifestPath) && other.Add(manifest.ManifestPath))
                {
                    bytes += manifest.ManifestLength;
                }

                foreach (var entry in await EntriesAsync(manifest, metadata, cancellationToken).ConfigureAwait(false) ?? [])
                {
                    if (entry.Status != 2 && !stillReferenced.Contains(entry.File.FilePath) && data.Add(entry.File.FilePath))
                    {
                        bytes += entry.File.FileSizeInBytes;
                    }
                }
            }
        }

        return ([.. data], [.. other], bytes);
    }

    /// <summary>The snapshots a reader holding the table since <c>since</c> may be reading: every one current at some moment from then (less <see cref="HoldSkew"/>) until now.</summary>
    private static HashSet<long> HeldSnapshots(IcebergTableMetadata metadata, IReadOnlyList<long> holdsSince)
    {
        var held = new HashSet<long>();
        if (holdsSince.Count == 0)
        {
            return held;
        }

        var since = holdsSince.Min() - (long)HoldSkew.TotalMilliseconds;
        var log = metadata.SnapshotLog.OrderBy(e => e.TimestampMs).ToList();
        for (var i = 0; i < log.Count; i++)
        {
            if (i == log.Count - 1 || log[i + 1].TimestampMs > since)
            {
                held.Add(log[i].SnapshotId);
            }
        }

        if (metadata.CurrentSnapshotId is { } current)
        {
            held.Add(current);
        }

        return held;
    }

    /// <summary>The start times (Unix ms) of the readers' holds on the table that have not run out; holds that ran out are removed.</summary>
    private async Task<IReadOnlyList<long>> ActiveHoldsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = new List<long>();
        var stale = new List<string>();
        await foreach (var item in _lake.ListAsync(LakeZone.Curated, DatasetLayout.ReaderHoldPrefix(Dataset), cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var stream = await _lake.OpenReadAsync(LakeZone.Curated, item.Key, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    var hold = JsonNode.Parse(stream)!.AsObject();
                    if ((long)hold["until"]! > now.ToUnixTimeMilliseconds())
                    {
                        since.Add((long)hold["since"]!);
                    }
                    else
                    {
                        stale.Add(item.Key);
                    }
                }
            }
            catch (LakeObjectNotFoundException)
            {
                // Released while listing.
            }
        }

        foreach (var key in stale)
        {
            await _lake.DeleteAsync(LakeZone.Curated, key, cancellationToken).ConfigureAwait(false);
        }

        return since;
    }

    // ---------------------------------------------------------------- orphans

    /// <summary>Deletes files under the table's data and metadata folders that no snapshot references and that are older than <paramref name="grace"/>; files of runs the ledger shows running are left alone.</summary>
    public async Task<OrphanRemovalReport> RemoveOrphansAsync(TimeSpan grace, IReadOnlySet<string> runningRuns, bool dryRun, CancellationToken cancellationToken)
    {
        var (location, metadata) = await _table.LoadAsync(cancellationToken).ConfigureAwait(false);
        var referenced = metadata is null ? new HashSet<string>(StringComparer.Ordinal) : await ReferencedAsync(metadata, metadata.Snapshots, cancellationToken).ConfigureAwait(false);
        if (metadata is not null)
        {
            referenced.Add(location!);
            referenced.UnionWith(metadata.MetadataLog.Select(e => e.MetadataFile));
        }

        var cutoff = _time.GetUtcNow() - grace;
        var prefix = DatasetLayout.DatasetPrefix(Dataset);
        var deleted = new List<string>();
        long bytes = 0;
        foreach (var folder in new[] { "data/", "metadata/" })
        {
            var orphans = new List<LakeObject>();
            await foreach (var item in _lake.ListAsync(LakeZone.Curated, prefix + folder, cancellationToken).ConfigureAwait(false))
            {
                var name = item.Key[(item.Key.LastIndexOf('/') + 1)..];
                if (item.LastModified > cutoff || name == "version-hint.text" || referenced.Contains(_table.Files.LocationOf(item.Key)))
                {
                    continue;
                }

                if (RunIdInName().Match(name) is { Success: true } m && runningRuns.Contains(m.Groups[1].Value))
                {
                    continue;
                }

                orphans.Add(item);
            }

            foreach (var orphan in orphans)
            {
                if (!dryRun)
                {
                    await _lake.DeleteAsync(LakeZone.Curated, orphan.Key, cancellationToken).ConfigureAwait(false);
                }

                deleted.Add(orphan.Key);
                bytes += orphan.Size;
            }
        }

        return new OrphanRemovalReport { DryRun = dryRun, Files = deleted, BytesDeleted = bytes };
    }

    [GeneratedRegex(@"-(\d{8}T\d{6}Z-[0-9a-f]{8})-\d+\.parquet$", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdInName();

    // ---------------------------------------------------------------- compaction

    /// <summary>
    /// Rewrites the small files of every partition that has at least <paramref name="minFiles"/> of them into files of the
    /// definition's target size, committed as one <c>replace</c> snapshot (same rows). A run that commits meanwhile is
    /// rebased on while every rewritten file is still live; otherwise compaction gives up and deletes what it wrote.
    /// </summary>
    public async Task<CompactionReport> CompactAsync(long smallBytes, int minFiles, bool dryRun, CancellationToken cancellationToken)
    {
        var (_, metadata) = await _table.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (metadata?.CurrentSnapshotId is null)
        {
            return new CompactionReport { DryRun = dryRun };
        }

        var live = await IcebergTable.LiveFilesAsync(_table.Files, metadata, null, cancellationToken).ConfigureAwait(false);
        var groups = live
            .Where(f => f.FileSizeInBytes < smallBytes)
            .Select(f => (File: f, Key: _table.Files.KeyOf(f.FilePath)))
            .GroupBy(f => f.Key[_table.DataPrefix.Length..(f.Key.LastIndexOf('/') + 1)], StringComparer.Ordinal)
            .Where(g => g.Count() >= minFiles)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var chosen = groups.SelectMany(g => g).ToList();
        var report = new CompactionReport
        {
            DryRun = dryRun,
            Partitions = groups.Count,
            FilesRemoved = chosen.Count,
            BytesRewritten = chosen.Sum(f => f.File.FileSizeInBytes),
            Records = chosen.Sum(f => f.File.RecordCount),
            FilesBefore = live.Count,
            FilesAfter = live.Count,
        };
        if (chosen.Count == 0)
        {
            return report;
        }

        var targetBytes = (long)Definition.Write.TargetFileSizeMb << 20;
        if (dryRun)
        {
            var expected = groups.Sum(g => (int)Math.Max(1, (g.Sum(f => f.File.FileSizeInBytes) + targetBytes - 1) / targetBytes));
            return report with { FilesAdded = expected, FilesAfter = live.Count - chosen.Count + expected };
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}");
        var columns = DatasetLayout.CuratedFileColumns(Definition);
        var budget = ((long)Definition.Engine.MemoryBudgetMb << 20) * 3 / 4;
        var writer = new StagedParquetWriter(
            _lake, LakeZone.Curated, columns, _table.DataPrefix, _table.DataPrefix, id, "compacted", Definition.Write, budget, 1,
            IcebergTable.FieldIds(_table.SchemaFor(metadata)), inPlace: true);
        IReadOnlyList<StagedFile> added;
        var sorted = 0;
        await using (writer.ConfigureAwait(false))
        {
            var keyIndexes = Definition.Keys.Select(k => columns.Select(c => c.Name).ToList().IndexOf(k)).ToArray();
            foreach (var group in groups)
            {
                // Ordered by the keys when asked and the partition fits in memory; otherwise streamed as read.
                var sort = Definition.Table.Maintenance.SortByKeys && keyIndexes.Length > 0 && group.Sum(f => f.File.FileSizeInBytes) <= budget / 4;
                var buffered = sort ? new List<object?[]>() : null;
                foreach (var (_, key) in group)
                {
                    await CuratedFileReader.ReadRowsAsync(
                        _lake, key, Definition, columns, group.Key,
                        row =>
                        {
                            if (buffered is null)
                            {
                                return writer.AddAsync(group.Key, row, cancellationToken);
                            }

                            buffered.Add(row);
                            return ValueTask.CompletedTask;
                        },
                        cancellationToken).ConfigureAwait(false);
                }

                if (buffered is not null)
                {
                    buffered.Sort((a, b) => CompareKeys(a, b, keyIndexes));
                    sorted++;
                    foreach (var row in buffered)
                    {
                        await writer.AddAsync(group.Key, row, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            added = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var removed = chosen.Select(f => f.Key).ToList();
        var removedPaths = chosen.Select(f => f.File.FilePath).ToHashSet(StringComparer.Ordinal);
        var summary = new Dictionary<string, string>(StringComparer.Ordinal) { [IcebergTable.MaintenanceProperty] = "compaction " + id };
        try
        {
            var snapshotId = await _table.CommitAsync(
                "replace", added, removed, summary,
                stillValid: current => removedPaths.IsSubsetOf(current.Select(f => f.FilePath)),
                beforeSwap: () => { },
                cancellationToken).ConfigureAwait(false);
            return report with { SnapshotId = snapshotId, FilesAdded = added.Count, FilesAfter = live.Count - chosen.Count + added.Count, PartitionsSorted = sorted };
        }
        catch (ConcurrencyConflictException ex)
        {
            foreach (var file in added)
            {
                await _lake.DeleteAsync(LakeZone.Curated, file.FinalKey, CancellationToken.None).ConfigureAwait(false);
            }

            return report with { FilesRemoved = 0, FilesAfter = live.Count, GaveUp = ex.Message };
        }
    }

    /// <summary>Orders rows by their key values (nulls first; values of one column share a type).</summary>
    private static int CompareKeys(object?[] a, object?[] b, int[] keys)
    {
        foreach (var k in keys)
        {
            var c = (a[k], b[k]) switch
            {
                (null, null) => 0,
                (null, _) => -1,
                (_, null) => 1,
                (string x, string y) => string.CompareOrdinal(x, y),
                (IComparable x, var y) => x.CompareTo(y),
                _ => 0,
            };
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    // ---------------------------------------------------------------- shared

    private Definitions.DatasetDefinition Definition => _registered.Definition;

    /// <summary>Every file the snapshots reference: manifest lists, manifests and live data files (Iceberg locations).</summary>
    private async Task<HashSet<string>> ReferencedAsync(IcebergTableMetadata metadata, IEnumerable<IcebergSnapshot> snapshots, CancellationToken cancellationToken)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            referenced.Add(snapshot.ManifestList);
            foreach (var manifest in await ManifestListAsync(snapshot, cancellationToken).ConfigureAwait(false) ?? throw MissingFile(snapshot.ManifestList))
            {
                referenced.Add(manifest.ManifestPath);
                foreach (var entry in await EntriesAsync(manifest, metadata, cancellationToken).ConfigureAwait(false) ?? throw MissingFile(manifest.ManifestPath))
                {
                    if (entry.Status != 2)
                    {
                        referenced.Add(entry.File.FilePath);
                    }
                }
            }
        }

        return referenced;
    }

    private IngestException MissingFile(string location) => new($"Dataset {Dataset}: the Iceberg table references {location}, which does not exist; maintenance changed nothing.") { Dataset = Dataset, Location = location };

    private async Task<List<IcebergManifestFile>?> ManifestListAsync(IcebergSnapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            return await IcebergTableScan.ReadManifestListAsync(_table.Files, snapshot.ManifestList, cancellationToken).ConfigureAwait(false);
        }
        catch (LakeObjectNotFoundException)
        {
            return null;
        }
    }

    private async Task<List<IcebergManifestEntry>?> EntriesAsync(IcebergManifestFile manifest, IcebergTableMetadata metadata, CancellationToken cancellationToken)
    {
        if (_manifests.TryGetValue(manifest.ManifestPath, out var cached))
        {
            return cached;
        }

        try
        {
            var entries = await IcebergTableScan.ReadManifestAsync(_table.Files, manifest, metadata, cancellationToken).ConfigureAwait(false);
            _manifests[manifest.ManifestPath] = entries;
            return entries;
        }
        catch (LakeObjectNotFoundException)
        {
            return null;
        }
    }

    private async Task<long> SizesAsync(IEnumerable<string> locations, CancellationToken cancellationToken)
    {
        long bytes = 0;
        foreach (var location in locations)
        {
            bytes += (await _lake.GetAsync(LakeZone.Curated, _table.Files.KeyOf(location), cancellationToken).ConfigureAwait(false))?.Size ?? 0;
        }

        return bytes;
    }

    private async Task WriteJournalAsync(string key, string metadataLocation, List<string> toDelete, CancellationToken cancellationToken)
    {
        var json = new JsonObject
        {
            ["operation"] = "expire",
            ["metadata"] = metadataLocation,
            ["delete"] = new JsonArray([.. toDelete.Select(p => (JsonNode)p)]),
        };
        var writer = await _lake.OpenWriteAsync(LakeZone.Curated, key, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = false })), cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string NextLocation(IcebergTableMetadata metadata, string location)
        => string.Create(CultureInfo.InvariantCulture, $"{metadata.Location}/metadata/{IcebergCommitBuilder.VersionOf(location) + 1:D5}-{Guid.NewGuid()}.metadata.json");

    private static long Property(IcebergTableMetadata metadata, string name, long fallback)
        => metadata.Properties.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : fallback;
}
