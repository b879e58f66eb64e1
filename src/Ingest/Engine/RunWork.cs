using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Engine.Commit;
using Ingest.Engine.Conversion;
using Ingest.Engine.Reading;
using Ingest.Engine.Tables;
using Ingest.Engine.Validation;
using Ingest.Engine.Writing;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Engine;

/// <summary>The work of one run between taking the lease and releasing it.</summary>
internal sealed class RunWork
{
    private readonly IngestRun _owner;
    private readonly RegisteredDefinition _registered;
    private DatasetDefinition _definition;
    private IReadOnlyList<IngestInput> _inputs;
    private readonly ILakeStorage _lake;
    private readonly string _runId;
    private readonly DateOnly _ingestDate;
    private readonly DateTime _ingestedAt;
    private readonly string _stagingPrefix;
    private readonly string _datasetPrefix;
    private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
    private readonly RejectExamples _rejectExamples = new();
    private readonly List<SourceFingerprint> _sources = [];
    private readonly IcebergTable? _table;
    private readonly IReadOnlySet<string> _rolledForward;
    private readonly List<string> _inPlaceFiles = [];
    private readonly List<string> _rejectsKept = [];
    private RunRecord _run;
    private StagedParquetWriter? _curatedWriter;
    private long _rowsRead;
    private long _rowsWritten;
    private long _rowsRejected;
    private long _bytesRead;

    public RunWork(IngestRun owner, RegisteredDefinition registered, RunRecord run, IReadOnlyList<IngestInput> inputs, IcebergTable? table, IReadOnlySet<string> rolledForward)
    {
        _table = table;
        _rolledForward = rolledForward;
        _owner = owner;
        _registered = registered;
        _definition = registered.Definition;
        _run = run;
        _inputs = inputs;
        _lake = owner.Backends.Lake;
        _runId = run.RunId;
        _ingestDate = DateOnly.FromDateTime(run.StartedAt.UtcDateTime);
        _ingestedAt = run.StartedAt.UtcDateTime;
        _stagingPrefix = DatasetLayout.StagingPrefix(_definition.Id, _runId);
        _datasetPrefix = DatasetLayout.DatasetPrefix(_definition.Id);
    }

    /// <summary>Gets whether the commit point was passed (from then on the run's data is published).</summary>
    public bool Committed { get; private set; }

    public RunRecord Snapshot() => _run with
    {
        RowsRead = _rowsRead,
        RowsWritten = _rowsWritten,
        RowsRejected = _rowsRejected,
        Sources = [.. _sources],
        RejectsKept = [.. _rejectsKept],
        Counters = IngestRunCounters.Snapshot(),
    };

    public async Task<IngestRunResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        // A database source is extracted to a file first (SourceExtraction.cs); from there on it is an input like any other.
        Task<SourceExtraction> Prepare() => SourceExtraction.PrepareAsync(_owner, _definition, _run, _inputs, cancellationToken);
        var extraction = await (_definition.Source.Format == SourceFormat.Database ? IngestTelemetry.StageAsync(IngestTelemetry.ExtractStage, Prepare) : Prepare()).ConfigureAwait(false);
        await using var extractionScope = extraction.ConfigureAwait(false);
        (_definition, _inputs, _run) = (extraction.ReadingDefinition, extraction.Inputs, _run with { Watermarks = extraction.Watermarks });
        // An Iceberg table's state, read once: which inputs its current history holds, and what the run plans on.
        var baseMetadata = _table is null ? null : (await _table.LoadAsync(cancellationToken).ConfigureAwait(false)).Metadata;
        var toRead = await IngestTelemetry.StageAsync(IngestTelemetry.RawCopyStage, () => FingerprintAsync(RolledBack(baseMetadata), cancellationToken)).ConfigureAwait(false);
        if (toRead.Count == 0)
        {
            return await CompleteSkippedAsync(cancellationToken).ConfigureAwait(false);
        }

        var options = _owner.Settings.Options;
        var budget = (long)_definition.Engine.MemoryBudgetMb << 20;

        // An Iceberg table takes the data files where they stay (no staging, no promotion), with its field ids.
        IReadOnlyDictionary<string, int>? fieldIds = null;
        IReadOnlyList<global::Ingest.Tables.Iceberg.IcebergDataFile> baseFiles = [];
        if (_table is not null)
        {
            fieldIds = IcebergTable.FieldIds(_table.SchemaFor(baseMetadata));
            if (_definition.Write.Mode != WriteMode.Append && baseMetadata is not null)
            {
                baseFiles = await IcebergTable.LiveFilesAsync(_table.Files, baseMetadata, null, cancellationToken).ConfigureAwait(false);
            }
        }

        var curated = new StagedParquetWriter(
            _lake, LakeZone.Curated, DatasetLayout.CuratedFileColumns(_definition), _stagingPrefix, _table?.DataPrefix ?? _datasetPrefix, _runId, "part",
            _definition.Write, budget * 3 / 4, options.MaxOpenFiles, fieldIds, inPlace: _table is not null);
        _curatedWriter = curated;
        var quarantine = new StagedParquetWriter(
            _lake, LakeZone.Quarantine, DatasetLayout.QuarantineFileColumns(_definition), _stagingPrefix, _datasetPrefix, _runId, "rejects",
            _definition.Write with { TargetFileSizeMb = Math.Min(_definition.Write.TargetFileSizeMb, 64) }, budget / 8, 1);
        await using (curated.ConfigureAwait(false))
        await using (quarantine.ConfigureAwait(false))
        {
            var rows = new RowProcessor(_definition, _runId, _ingestedAt, _ingestDate, _owner.Settings.Transforms, _owner.Settings.Extensions);
            var (curatedFiles, rejectFiles) = await IngestTelemetry.StageAsync(IngestTelemetry.ReadWriteStage, async () =>
            {
                foreach (var (input, rawKey) in toRead)
                {
                    await ReadInputAsync(input, rawKey, rows, curated, quarantine, cancellationToken).ConfigureAwait(false);
                }

                await EnforceRejectBudgetAsync(quarantine, cancellationToken).ConfigureAwait(false);
                return (await curated.CompleteAsync(cancellationToken).ConfigureAwait(false), await quarantine.CompleteAsync(cancellationToken).ConfigureAwait(false));
            }).ConfigureAwait(false);
            var partitions = curated.Partitions.Where(p => p.Length > 0).Order(StringComparer.Ordinal).ToList();

            var deletions = new List<ObjectRef>();
            var rewritten = new List<StagedFile>();
            var baseKeys = baseFiles.Select(f => _table!.Files.KeyOf(f.FilePath)).ToList();
            switch (_definition.Write.Mode)
            {
                case WriteMode.OverwritePartitions when _table is not null:
                    deletions.AddRange(InPartitions(baseKeys, [.. curated.Partitions]).Select(key => new ObjectRef(LakeZone.Curated, key)));
                    break;
                case WriteMode.OverwritePartitions:
                    deletions.AddRange(await ListExistingAsync([.. curated.Partitions], cancellationToken).ConfigureAwait(false));
                    break;
                case WriteMode.Merge when rows.MergeKeys is { Count: > 0 } keys:
                    var merge = new MergeRewriter(_lake, _definition, _stagingPrefix, _datasetPrefix, _runId, budget / 8);
                    var (files, replaced) = _table is null
                        ? await merge.RewriteAsync(keys, cancellationToken).ConfigureAwait(false)
                        : await merge.RewriteAsync(keys, cancellationToken, baseKeys, _table.DataPrefix, fieldIds).ConfigureAwait(false);
                    rewritten.AddRange(files);
                    _inPlaceFiles.AddRange(files.Where(f => f.InPlace).Select(f => f.FinalKey));
                    deletions.AddRange(replaced.Select(key => new ObjectRef(LakeZone.Curated, key)));
                    break;
            }

            // Make sure the lease is still ours right before the commit point.
            if (!await _owner.Backends.Ledger.RenewLeaseAsync(_definition.Id, _runId, options.LeaseDuration, cancellationToken).ConfigureAwait(false))
            {
                throw new ConcurrencyConflictException($"Run {_runId} of {_definition.Id} lost its lease before committing; nothing was published.") { Dataset = _definition.Id, RunId = _runId };
            }

            var published = curatedFiles.Concat(rewritten).Concat(rejectFiles).ToList();
            IngestRunCounters.Increment(IngestRunCounters.BytesWritten, published.Sum(f => f.Bytes));
            IngestRunCounters.Increment(IngestRunCounters.BytesRead, _bytesRead);
            var final = Snapshot() with
            {
                Status = RunStatus.Succeeded,
                EndedAt = _owner.Time.GetUtcNow(),
                FilesWritten = [.. published.Select(f => $"{f.Zone}/{f.FinalKey}")],
                PartitionsWritten = partitions,
            };
            var manifest = new CommitManifest
            {
                RunId = _runId,
                Promotions = [.. published.Where(f => !f.InPlace).Select(f => new ObjectMove(f.Zone, f.StagingKey, f.FinalKey))],

                // An Iceberg snapshot removes replaced files from the table; the files stay until expired.
                Deletions = _table is null ? deletions : [],
                Run = final,
                AwaitsTableCommit = _table is not null,
                TableFiles = [.. published.Where(f => f.InPlace).Select(f => f.FinalKey)],
            };
            cancellationToken.ThrowIfCancellationRequested();
            if (_table is null)
            {
                await IngestTelemetry.StageAsync(IngestTelemetry.CommitStage, () => _owner.Commit.CommitAsync(_definition.Id, manifest, () => Committed = true, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await IngestTelemetry.StageAsync(IngestTelemetry.CommitStage, () => CommitSnapshotAsync(manifest, curatedFiles.Concat(rewritten).ToList(), deletions, [.. curated.Partitions], baseKeys, cancellationToken)).ConfigureAwait(false);
            }

            _run = final;
            await IngestTelemetry.StageAsync(IngestTelemetry.CatalogStage, () => RegisterPartitionsAsync(partitions)).ConfigureAwait(false);
            return new IngestRunResult { Run = final, Elapsed = TimeSpan.Zero, TopRejectReasons = TopReasons() };
        }
    }

    /// <summary>
    /// Commits an Iceberg run: the manifest first (what to promote once the snapshot exists), then the snapshot by one
    /// swap of the metadata pointer (the commit point), then the promotions of the raw and quarantine zones and the
    /// ledger. A run that dies after the swap is completed by the next run from its manifest.
    /// </summary>
    private async Task CommitSnapshotAsync(CommitManifest manifest, List<StagedFile> added, List<ObjectRef> removed, IReadOnlyList<string> partitions, List<string> baseKeys, CancellationToken cancellationToken)
    {
        var table = _table!;
        await _owner.Commit.WriteManifestAsync(_definition.Id, manifest, cancellationToken).ConfigureAwait(false);
        var operation = _definition.Write.Mode == WriteMode.Append ? "append" : "overwrite";
        var summary = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [IcebergTable.RunIdProperty] = _runId,
            [IcebergTable.InputsProperty] = string.Join(',', _sources.Where(s => !s.Skipped).Select(s => s.Sha256)),
            [IcebergTable.DefinitionVersionProperty] = _registered.Version.ToString(CultureInfo.InvariantCulture),
        };

        // On a lost swap an append rebases; an overwrite or merge rebases only while the files it planned on are
        // still exactly the live files it read (of its partitions, or of the whole table for a merge).
        Func<IReadOnlyList<global::Ingest.Tables.Iceberg.IcebergDataFile>, bool>? stillValid = _definition.Write.Mode switch
        {
            WriteMode.Append => null,
            WriteMode.OverwritePartitions => live => SameSet(InPartitions([.. live.Select(f => table.Files.KeyOf(f.FilePath))], partitions), InPartitions(baseKeys, partitions)),
            _ => live => SameSet([.. live.Select(f => table.Files.KeyOf(f.FilePath))], baseKeys),
        };
        var snapshotId = await table.CommitAsync(operation, added, [.. removed.Select(r => r.Key)], summary, stillValid, () => { }, cancellationToken).ConfigureAwait(false);
        Committed = true;
        Log.SnapshotCommitted(_owner.Logger, _runId, _definition.Id.ToString(), snapshotId, added.Count, removed.Count);

        // From here on the run is committed: finish even if the caller gives up.
        await _owner.Commit.ApplyAsync(_definition.Id, manifest, CancellationToken.None).ConfigureAwait(false);
    }

    private List<string> InPartitions(List<string> keys, IReadOnlyList<string> partitions)
    {
        var prefix = _table!.DataPrefix;
        return [.. keys.Where(k => partitions.Any(p => k.StartsWith(prefix + p, StringComparison.Ordinal)))];
    }

    private static bool SameSet(List<string> a, List<string> b) => a.ToHashSet(StringComparer.Ordinal).SetEquals(b);

    /// <summary>Removes the data files this run wrote in place into its Iceberg table (the run failed before its commit point).</summary>
    public async Task DeleteUnpublishedAsync()
    {
        if (_table is null || Committed)
        {
            return;
        }

        foreach (var key in _inPlaceFiles.Concat(_curatedWriter?.Completed.Where(f => f.InPlace).Select(f => f.FinalKey) ?? []).Distinct(StringComparer.Ordinal))
        {
            try
            {
                await _lake.DeleteAsync(LakeZone.Curated, key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or IngestException or UnauthorizedAccessException)
            {
                // Referenced by no snapshot, so invisible; orphan removal takes what is left.
            }
        }
    }

    /// <summary>
    /// Copies every input into the raw zone where it stays (<c>ingest_date=…/{run id}/{file name}</c>: no promotion, no
    /// copy at commit); returns those to read, with their raw key. Each copy is announced by a marker in the run's staging
    /// area first, so that a run that fails or dies before its commit point has its copies removed (<see cref="CommitProtocol.DiscardAsync"/>).
    /// </summary>
    private async Task<List<(IngestInput Input, string RawKey)>> FingerprintAsync((HashSet<string> Runs, HashSet<string> CurrentInputs) rolledBack, CancellationToken cancellationToken)
    {
        var toRead = new List<(IngestInput, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var date = _ingestDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var i = 0; i < _inputs.Count; i++)
        {
            var input = _inputs[i];
            var safeName = SafeFileName(input.Name);
            var fileName = names.Add(safeName) ? safeName : string.Create(CultureInfo.InvariantCulture, $"{i:D4}-{safeName}");
            var rawKey = $"{_datasetPrefix}ingest_date={date}/{_runId}/{fileName}";
            await _owner.Commit.MarkInPlaceAsync(_definition.Id, _runId, LakeZone.Raw, i, rawKey, cancellationToken).ConfigureAwait(false);
            var (sha, size) = await CopyToRawAsync(input, rawKey, cancellationToken).ConfigureAwait(false);
            var previous = await _owner.Backends.Ledger.FindSourceAsync(_definition.Id, sha, cancellationToken).ConfigureAwait(false);
            if (previous is not null && rolledBack.Runs.Contains(previous.RunId) && !rolledBack.CurrentInputs.Contains(sha))
            {
                // Its run was rolled back out of the table and no later run ingested the bytes: they are not in the lake.
                previous = null;
            }

            var duplicate = !seen.Add(sha);
            // A run completed by this run's recovery committed these bytes moments ago: never ingest them twice,
            // even when forced (its caller may have been told it failed).
            var justCommitted = previous is not null && _rolledForward.Contains(previous.RunId);
            if ((previous is not null && (!_owner.Settings.Force || justCommitted)) || duplicate)
            {
                // The key is this run's own: deleting it never touches the copy of the run that ingested the bytes.
                await _lake.DeleteAsync(LakeZone.Raw, rawKey, cancellationToken).ConfigureAwait(false);
                var by = previous?.RunId ?? _runId;
                Log.InputSkipped(_owner.Logger, input.Name, _definition.Id.ToString(), sha, by);
                _sources.Add(new SourceFingerprint(sha, input.Name, size, previous?.RawKey ?? _sources.First(s => s.Sha256 == sha && !s.Skipped).RawKey, by, Skipped: true));
                continue;
            }

            _sources.Add(new SourceFingerprint(sha, input.Name, size, rawKey, _runId));
            toRead.Add((input, rawKey));
        }

        return toRead;
    }

    /// <summary>
    /// For an Iceberg table: the runs whose snapshots a rollback took out of the current history, and the inputs of the
    /// snapshots in it. An input of a rolled-back run counts as ingested only if a current snapshot holds it again.
    /// </summary>
    private static (HashSet<string> Runs, HashSet<string> CurrentInputs) RolledBack(global::Ingest.Tables.Iceberg.IcebergTableMetadata? metadata)
    {
        var runs = new HashSet<string>(StringComparer.Ordinal);
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            var lineage = IcebergTable.Lineage(metadata);
            var current = lineage.Select(s => s.SnapshotId).ToHashSet();
            foreach (var snapshot in metadata.Snapshots.Where(s => !current.Contains(s.SnapshotId)))
            {
                if (snapshot.Summary.TryGetValue(IcebergTable.RunIdProperty, out var runId))
                {
                    runs.Add(runId);
                }
            }

            // Rolled-back snapshots that have since expired are named by the table's properties.
            if (metadata.Properties.TryGetValue(IcebergTable.ExpiredRolledBackRunsProperty, out var expired))
            {
                runs.UnionWith(expired.Split(',', StringSplitOptions.RemoveEmptyEntries));
            }

            inputs.UnionWith(lineage.SelectMany(IcebergTable.InputsOf));
        }

        return (runs, inputs);
    }

    private async Task<(string Sha256, long Size)> CopyToRawAsync(IngestInput input, string rawKey, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Large chunks: every read and write of a file stream is a hop to the thread pool, so a 100 MB input
        // costs about 200 hops instead of 3,200 with 64 KiB. Two of them: a chunk is written on the pool while
        // this task hashes it and reads the next, so the copy takes about as long as the slower of the two.
        byte[][] buffers = [new byte[1 << 20], new byte[1 << 20]];
        long size = 0;
        var before = input.Version?.Invoke();
        Stream source;
        try
        {
            source = await input.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataValidationException($"{input.Name}: cannot be read ({ex.Message}).", ex) { Dataset = _definition.Id, Location = input.Name };
        }

        await using (source.ConfigureAwait(false))
        {
            var writer = await _lake.OpenWriteAsync(LakeZone.Raw, rawKey, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                var writing = Task.CompletedTask;
                var current = 0;
                try
                {
                    int read;
                    while ((read = await source.ReadAsync(buffers[current], cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        // The previous chunk (in the other buffer) must be written before the next write starts.
                        await writing.ConfigureAwait(false);
                        writing = writer.Stream.WriteAsync(buffers[current].AsMemory(0, read), cancellationToken).AsTask();
                        hash.AppendData(buffers[current], 0, read);
                        size += read;
                        current ^= 1;
                    }
                }
                finally
                {
                    // Never leave a write running on a buffer or a stream about to be disposed.
                    await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                await writing.ConfigureAwait(false);
                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        RawCopyCheck.EnsureUnchanged(_definition.Id, input, before, size);
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    private async Task ReadInputAsync(IngestInput input, string rawKey, RowProcessor rows, StagedParquetWriter curated, StagedParquetWriter quarantine, CancellationToken cancellationToken)
    {
        // Read the staged raw copy, not the input again: the rows must come from exactly the bytes that were
        // fingerprinted and kept (an on-premise file may still be growing or be replaced between two opens).
        Task<Stream> Open(CancellationToken ct) => _lake.OpenReadAsync(LakeZone.Raw, rawKey, ct);
        var sourceColumns = _definition.Columns.Select(c => c.EffectiveSourceColumn).ToList();
        // The built-in formats' own readers, else the reader registered for the format; nothing reads a format it does not know.
        var format = _definition.Source.Format;
        var reader = BuiltInReaders.Create(input.Name, _definition.Source, sourceColumns, Open) ?? CreateRegisteredReader(input, Open);
        await using (reader.ConfigureAwait(false))
        {
            await reader.OpenAsync(cancellationToken).ConfigureAwait(false);

            // A CSV record and a registered reader's record have one field per header name; a JSON object or a Parquet row any.
            var mapping = rows.MapColumns(input.Name, reader, format == SourceFormat.Csv || !format.IsBuiltIn);
            var rowsBefore = _rowsRead;
            var progress = _owner.Settings.Progress;
            var interval = _owner.Settings.Options.ProgressInterval;
            var bytesBefore = _bytesRead;
            var totalBytes = _inputs.Sum(i => i.Length ?? 0);

            // Parse on the second core: the reader runs ahead on its own task and hands over batches of records,
            // in order; its exception surfaces here after the records before it. Disposed (the producer stopped
            // and awaited) before the reader.
            // The reading task also converts leading columns, as many as keep both sides equally busy.
            var readAhead = SourceReadAhead.Start(
                reader,
                SourceReadAhead.DefaultBatchSize,
                SourceReadAhead.DefaultCapacity,
                (record, columns) => rows.Prepare(record, mapping, columns),
                _definition.Columns.Count,
                cancellationToken);
            await using (readAhead.ConfigureAwait(false))
            {
                while (await readAhead.ReadBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var record = batch.Records[i];
                        _rowsRead++;
                        var outcome = rows.Process(input.Name, record, mapping);
                        if (outcome.Rejection is { } rejection)
                        {
                            _rowsRejected++;
                            _reasons[rejection.ReasonKey] = _reasons.GetValueOrDefault(rejection.ReasonKey) + 1;
                            _rejectExamples.Add(rejection, record.LineCount);
                            await quarantine.AddAsync(rows.QuarantinePartition, rejection.Values, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            _rowsWritten++;
                            await curated.AddAsync(outcome.PartitionPath!, outcome.FileValues!, outcome.FileBits, outcome.Characters, cancellationToken).ConfigureAwait(false);
                        }

                        if (progress is not null && _rowsRead % interval == 0)
                        {
                            _bytesRead = bytesBefore + readAhead.BytesRead;
                            progress.Report(new IngestProgress(input.Name, _rowsRead, _rowsWritten, _rowsRejected, _bytesRead, totalBytes == 0 ? null : totalBytes));
                        }
                    }
                }

                _bytesRead = bytesBefore + readAhead.BytesRead;
            }

            rows.CheckColumnsAtEnd(input.Name, reader, mapping, _rowsRead - rowsBefore);

            progress?.Report(new IngestProgress(input.Name, _rowsRead, _rowsWritten, _rowsRejected, _bytesRead, totalBytes == 0 ? null : totalBytes));
        }
    }

    private RegisteredSourceReader CreateRegisteredReader(IngestInput input, Func<CancellationToken, Task<Stream>> open)
    {
        var format = _definition.Source.Format;
        var context = new Sources.SourceReaderContext(_definition, input.Name, open);
        var reader = _owner.Settings.Extensions.CreateReader(context)
            ?? throw new DefinitionException(
                $"registered definition {_definition.Id} v{_registered.Version}",
                [new DefinitionError("$.source.format", $"'{format}' is not a registered source format; the registered formats are {string.Join(", ", _owner.Settings.Extensions.SourceFormats)}.")]);
        return new RegisteredSourceReader(format, reader, context);
    }

    /// <summary>
    /// Fails a run whose rejects exceed <c>quality.maxRejectRatio</c>. Its rejected rows are kept apart from the published
    /// quarantine (<see cref="DatasetLayout.FailedRunRejectsPrefix"/>, recorded as <see cref="RunRecord.RejectsKept"/>), so
    /// that every reason can be read without raising the budget; no curated row is published.
    /// </summary>
    private async Task EnforceRejectBudgetAsync(StagedParquetWriter quarantine, CancellationToken cancellationToken)
    {
        if (!_rejectExamples.OverBudget(_rowsRead, _rowsRejected, _definition.Quality.MaxRejectRatio, out var ratio))
        {
            return;
        }

        var keptPrefix = DatasetLayout.FailedRunRejectsPrefix(_definition.Id, _runId);
        var kept = new List<string>();
        foreach (var file in await quarantine.CompleteAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = keptPrefix + file.FinalKey[(file.FinalKey.LastIndexOf('/') + 1)..];
            await _lake.PromoteAsync(LakeZone.Quarantine, file.StagingKey, key, cancellationToken).ConfigureAwait(false);
            kept.Add(key);
            _rejectsKept.Add(key);
        }

        var top = string.Join("; ", TopReasons().Take(3).Select(r => $"{r.Reason} ({r.Count}){_rejectExamples.Describe(r.Reason)}"));
        var where = kept.Count == 0
            ? string.Empty
            : $" The {_rowsRejected} rejected rows are kept apart, unpublished, under {LakeZone.Quarantine}/{keptPrefix.TrimEnd('/')} (ingest rejects {_definition.Id} --run {_runId}).";
        throw new DataValidationException(string.Create(
            CultureInfo.InvariantCulture,
            $"Dataset {_definition.Id}: {_rowsRejected} of {_rowsRead} rows were rejected ({ratio:P1}{_rejectExamples.LinesNote()}), above quality.maxRejectRatio {_definition.Quality.MaxRejectRatio:P1}; nothing was published. Most frequent: {top}.{where}"))
        {
            Dataset = _definition.Id,
            RunId = _runId,
            DefinitionVersion = _registered.Version,
        };
    }

    private async Task<List<ObjectRef>> ListExistingAsync(IReadOnlyList<string> partitions, CancellationToken cancellationToken)
    {
        var existing = new List<ObjectRef>();
        foreach (var partition in partitions)
        {
            await foreach (var item in _lake.ListAsync(LakeZone.Curated, _datasetPrefix + partition, cancellationToken).ConfigureAwait(false))
            {
                // With no partitioning the prefix is the whole dataset; nested folders belong to it too.
                existing.Add(new ObjectRef(LakeZone.Curated, item.Key));
            }
        }

        return existing;
    }

    private async Task<IngestRunResult> CompleteSkippedAsync(CancellationToken cancellationToken)
    {
        var final = Snapshot() with { Status = RunStatus.Skipped, EndedAt = _owner.Time.GetUtcNow() };
        await _owner.Backends.Ledger.CompleteRunAsync(final, cancellationToken).ConfigureAwait(false);
        await _owner.Commit.DeleteStagingAsync(_definition.Id, _runId, cancellationToken).ConfigureAwait(false);
        Committed = true;
        Log.RunSkipped(_owner.Logger, _runId, _definition.Id.ToString());
        _run = final;
        return new IngestRunResult { Run = final, Elapsed = TimeSpan.Zero };
    }

    private async Task RegisterPartitionsAsync(IReadOnlyList<string> partitions)
    {
        if (_owner.Backends.Catalog is not { } catalog || (partitions.Count == 0 && _table is null))
        {
            return;
        }

        try
        {
            await catalog.AddPartitionsAsync(_registered, partitions, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IngestException or IOException or InvalidOperationException)
        {
            Log.CatalogUpdateFailed(_owner.Logger, ex, _definition.Id.ToString(), ex.Message);
            IngestTelemetry.StageFailed(IngestTelemetry.CatalogStage, ex);
        }
    }

    private List<RejectReasonCount> TopReasons()
        => [.. _reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Take(10).Select(r => new RejectReasonCount(r.Key, r.Value))];

    private static string SafeFileName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        var builder = new StringBuilder(file.Length);
        foreach (var c in file)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var safe = builder.ToString().TrimStart('.');
        return safe.Length == 0 ? "input" : safe.Length > 120 ? safe[^120..] : safe;
    }
}
