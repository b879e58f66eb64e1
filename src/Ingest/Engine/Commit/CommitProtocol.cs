using System.Text.Json;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Ledger;
using Ingest.Storage;
using Microsoft.Extensions.Logging;

namespace Ingest.Engine.Commit;

/// <summary>
/// Atomic visibility on any <see cref="ILakeStorage"/>: a run stages every object under its own staging
/// prefix (outside the dataset's folders), writes a manifest, then promotes and deletes; the ledger records
/// the outcome last. Recovery by the next lease holder rolls a committed run forward and removes what an
/// uncommitted one left behind.
/// </summary>
internal sealed class CommitProtocol(ILakeStorage lake, IRunLedger ledger, ILogger logger)
{
    private static readonly LakeZone[] StagingZones = [LakeZone.Curated, LakeZone.Quarantine, LakeZone.Raw];

    /// <summary>The suffix of a marker in a run's staging area naming an object the run writes where it stays.</summary>
    private const string InPlaceSuffix = ".inplace";

    /// <summary>
    /// Publishes a run: manifest, promotions, deletions, ledger, cleanup. <paramref name="committed"/> is called
    /// once the manifest is durable (the commit point); if writing the manifest fails, it is not called, the
    /// manifest is removed and the run is still the caller's to fail.
    /// </summary>
    public async Task CommitAsync(DatasetId dataset, CommitManifest manifest, Action committed, CancellationToken cancellationToken)
    {
        await WriteManifestAsync(dataset, manifest, cancellationToken).ConfigureAwait(false);
        committed();

        // From here on the run is committed: finish even if the caller gives up.
        await ApplyAsync(dataset, manifest, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Writes the run's manifest durably; on failure removes whatever may have landed and rethrows.</summary>
    public async Task WriteManifestAsync(DatasetId dataset, CommitManifest manifest, CancellationToken cancellationToken)
    {
        Log.Committing(logger, manifest.RunId, dataset.ToString(), manifest.Promotions.Count, manifest.Deletions.Count);
        var manifestKey = DatasetLayout.StagingPrefix(dataset, manifest.RunId) + CommitManifest.FileName;
        try
        {
            var writer = await lake.OpenWriteAsync(LakeZone.Curated, manifestKey, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(writer.Stream, manifest, CommitManifest.JsonOptions, cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // The write may have landed (a store can fail after persisting): remove the manifest first, so that the
            // caller's cleanup of the staged files can never leave a manifest whose files are gone.
            try
            {
                await lake.DeleteAsync(LakeZone.Curated, manifestKey, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or IngestException)
            {
                // Keep the original error; nothing was promoted, so the next run's recovery may still roll it forward.
            }

            throw;
        }
    }

    /// <summary>
    /// Rolls forward or cleans up every run of the dataset that left staged objects, except <paramref name="currentRunId"/>;
    /// returns the ids of the runs rolled forward. A manifest that awaits a table commit is rolled forward only when
    /// <paramref name="tableCommitted"/> finds the run's snapshot in the table.
    /// </summary>
    public async Task<IReadOnlySet<string>> RecoverAsync(
        DatasetId dataset,
        string currentRunId,
        DateTimeOffset now,
        Func<CommitManifest, CancellationToken, Task<bool>>? tableCommitted,
        CancellationToken cancellationToken)
    {
        var rolledForward = new HashSet<string>(StringComparer.Ordinal);
        var prefix = DatasetLayout.StagingDatasetPrefix(dataset);
        var deadRuns = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var zone in StagingZones)
        {
            await foreach (var item in lake.ListAsync(zone, prefix, cancellationToken).ConfigureAwait(false))
            {
                var rest = item.Key[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var runId = slash < 0 ? rest : rest[..slash];
                if (runId != currentRunId)
                {
                    deadRuns.Add(runId);
                }
            }
        }

        foreach (var runId in deadRuns)
        {
            var manifestKey = DatasetLayout.StagingPrefix(dataset, runId) + CommitManifest.FileName;
            if (await lake.GetAsync(LakeZone.Curated, manifestKey, cancellationToken).ConfigureAwait(false) is not null)
            {
                CommitManifest manifest;
                var stream = await lake.OpenReadAsync(LakeZone.Curated, manifestKey, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    manifest = await JsonSerializer.DeserializeAsync<CommitManifest>(stream, CommitManifest.JsonOptions, cancellationToken).ConfigureAwait(false)
                        ?? throw new IngestException($"The commit manifest {manifestKey} is empty.") { Dataset = dataset, RunId = runId };
                }

                if (manifest.AwaitsTableCommit && !(tableCommitted is not null && await tableCommitted(manifest, cancellationToken).ConfigureAwait(false)))
                {
                    // Died before its snapshot: nothing of it is visible. Its data files are referenced by no snapshot.
                    foreach (var key in manifest.TableFiles)
                    {
                        await lake.DeleteAsync(LakeZone.Curated, key, cancellationToken).ConfigureAwait(false);
                    }

                    var removedFiles = await DiscardAsync(dataset, runId, cancellationToken).ConfigureAwait(false);
                    Log.CleanedStaging(logger, dataset.ToString(), runId, removedFiles + manifest.TableFiles.Count);
                    continue;
                }

                await ApplyAsync(dataset, manifest, cancellationToken).ConfigureAwait(false);
                rolledForward.Add(runId);
                Log.RolledForward(logger, dataset.ToString(), runId);
            }
            else
            {
                var removed = await DiscardAsync(dataset, runId, cancellationToken).ConfigureAwait(false);
                Log.CleanedStaging(logger, dataset.ToString(), runId, removed);
            }
        }

        // A run killed during its first write left no completed object to be found above, only an incomplete write
        // (an open multipart upload on S3, a temporary file in a folder). Recovery runs before the current run writes
        // anything and under its lease, so every incomplete write under the dataset's staging prefix is a dead run's.
        foreach (var zone in StagingZones)
        {
            await lake.AbortIncompleteWritesAsync(zone, prefix, cancellationToken).ConfigureAwait(false);
        }

        // Runs still marked running are dead: the caller holds the lease.
        var stale = new List<RunRecord>();
        await foreach (var run in ledger.ListRunsAsync(dataset, cancellationToken).ConfigureAwait(false))
        {
            if (run.Status == RunStatus.Running && run.RunId != currentRunId)
            {
                stale.Add(run);
            }
        }

        foreach (var run in stale)
        {
            await ledger.CompleteRunAsync(
                run with { Status = RunStatus.Failed, EndedAt = now, Error = "The run stopped before it committed (process killed or lease lost); nothing of it was published." },
                cancellationToken).ConfigureAwait(false);
        }

        return rolledForward;
    }

    /// <summary>
    /// Announces, in the run's staging area, an object the run is about to write at its final key (a raw copy): if the run
    /// never commits, <see cref="DiscardAsync"/> removes it. Call it before the object's write starts.
    /// </summary>
    public async Task MarkInPlaceAsync(DatasetId dataset, string runId, LakeZone zone, int index, string key, CancellationToken cancellationToken)
    {
        var marker = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{DatasetLayout.StagingPrefix(dataset, runId)}{zone.Name}/{index:D4}{InPlaceSuffix}");
        var writer = await lake.OpenWriteAsync(zone, marker, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(key), cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes everything of a run that did not commit: the objects its markers name (complete or still being written)
    /// and then its staging area; returns how many objects.
    /// </summary>
    public async Task<int> DiscardAsync(DatasetId dataset, string runId, CancellationToken cancellationToken)
    {
        var prefix = DatasetLayout.StagingPrefix(dataset, runId);
        var count = 0;
        foreach (var zone in StagingZones)
        {
            var markers = new List<string>();
            await foreach (var item in lake.ListAsync(zone, prefix, cancellationToken).ConfigureAwait(false))
            {
                if (item.Key.EndsWith(InPlaceSuffix, StringComparison.Ordinal))
                {
                    markers.Add(item.Key);
                }
            }

            foreach (var marker in markers)
            {
                string key;
                var stream = await lake.OpenReadAsync(zone, marker, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                using (var reader = new StreamReader(stream, System.Text.Encoding.UTF8))
                {
                    key = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                }

                // Only this run's own keys are ever named (they hold its run id), so no committed object is touched.
                if (key.Contains(runId, StringComparison.Ordinal) && key.StartsWith(DatasetLayout.DatasetPrefix(dataset), StringComparison.Ordinal))
                {
                    await lake.DeleteAsync(zone, key, cancellationToken).ConfigureAwait(false);
                    count += 1 + await lake.AbortIncompleteWritesAsync(zone, key, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return count + await DeleteStagingAsync(dataset, runId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every staged object of a run in every zone; returns how many.</summary>
    public async Task<int> DeleteStagingAsync(DatasetId dataset, string runId, CancellationToken cancellationToken)
    {
        var prefix = DatasetLayout.StagingPrefix(dataset, runId);
        var count = 0;
        foreach (var zone in StagingZones)
        {
            var keys = new List<string>();
            await foreach (var item in lake.ListAsync(zone, prefix, cancellationToken).ConfigureAwait(false))
            {
                keys.Add(item.Key);
            }

            // The manifest goes last so that an interrupted cleanup of a committed run can still roll forward.
            foreach (var key in keys.OrderBy(k => k.EndsWith(CommitManifest.FileName, StringComparison.Ordinal)))
            {
                await lake.DeleteAsync(zone, key, cancellationToken).ConfigureAwait(false);
                count++;
            }

            count += await lake.AbortIncompleteWritesAsync(zone, prefix, cancellationToken).ConfigureAwait(false);
        }

        return count;
    }

    /// <summary>Promotes, deletes, records the run in the ledger and removes the staging area (idempotent: recovery repeats it).</summary>
    public async Task ApplyAsync(DatasetId dataset, CommitManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var move in manifest.Promotions)
        {
            await lake.PromoteAsync(move.Zone, move.From, move.To, cancellationToken).ConfigureAwait(false);
        }

        foreach (var deletion in manifest.Deletions)
        {
            await lake.DeleteAsync(deletion.Zone, deletion.Key, cancellationToken).ConfigureAwait(false);
        }

        var recorded = await ledger.GetRunAsync(dataset, manifest.RunId, cancellationToken).ConfigureAwait(false);
        if (recorded?.Status != RunStatus.Succeeded)
        {
            await ledger.CompleteRunAsync(manifest.Run, cancellationToken).ConfigureAwait(false);
        }

        await DeleteStagingAsync(dataset, manifest.RunId, cancellationToken).ConfigureAwait(false);
    }
}
