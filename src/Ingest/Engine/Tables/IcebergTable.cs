using System.Globalization;
using System.Security.Cryptography;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine.Writing;
using Ingest.Engine.Writing.Parquet;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Tables.Iceberg;

namespace Ingest.Engine.Tables;

/// <summary>
/// A dataset's Iceberg table as the engine uses it: the schema and partition spec derived from the definition (field
/// ids kept from the table's metadata), the live data files of a snapshot, and the commit of a run's files as one
/// snapshot by one compare-and-swap of the catalog's metadata pointer.
/// </summary>
internal sealed class IcebergTable
{
    /// <summary>The snapshot summary property that names the run that wrote a snapshot.</summary>
    public const string RunIdProperty = "ingest.run-id";

    /// <summary>The snapshot summary property that lists the SHA-256 fingerprints of the run's inputs (comma-separated).</summary>
    public const string InputsProperty = "ingest.inputs";

    /// <summary>The snapshot summary property with the definition version the run used.</summary>
    public const string DefinitionVersionProperty = "ingest.definition-version";

    /// <summary>Iceberg's table property: how long snapshots are kept, in milliseconds since their commit.</summary>
    public const string MaxSnapshotAgeProperty = "history.expire.max-snapshot-age-ms";

    /// <summary>Iceberg's table property: how many snapshots of the current history expiry always keeps.</summary>
    public const string MinSnapshotsToKeepProperty = "history.expire.min-snapshots-to-keep";

    /// <summary>The table property that lists the runs whose rolled-back snapshots expired (their inputs stay re-ingestable).</summary>
    public const string ExpiredRolledBackRunsProperty = "ingest.rolled-back-runs";

    /// <summary>The snapshot summary property that marks a snapshot written by maintenance (compaction), not by a run.</summary>
    public const string MaintenanceProperty = "ingest.maintenance";

    private const int MaxAttempts = 8;

    private readonly RegisteredDefinition _registered;
    private readonly IIcebergCatalog _catalog;
    private readonly TimeProvider _time;

    public IcebergTable(RegisteredDefinition registered, IIcebergCatalog? catalog, ILakeStorage lake, TimeProvider time)
    {
        _registered = registered;
        _catalog = catalog ?? throw new IngestException(
            $"Dataset {registered.Dataset} is an Iceberg table (table.format), but these backends have no Iceberg catalog (IngestBackends.IcebergCatalog); use backends that have one, or set \"table\": {{\"format\": \"hive\"}} in a new dataset.")
        { Dataset = registered.Dataset };
        _time = time;
        var dataset = registered.Dataset;
        Files = new LakeFileIO(lake, LakeZone.Curated, DatasetLayout.DatasetPrefix(dataset));
        DataPrefix = DatasetLayout.IcebergDataPrefix(dataset);
    }

    public LakeFileIO Files { get; }

    /// <summary>Gets the key prefix of the table's data files.</summary>
    public string DataPrefix { get; }

    public DatasetDefinition Definition => _registered.Definition;

    /// <summary>Loads the current metadata, or (null, null) when the table does not exist yet.</summary>
    public async Task<(string? Location, IcebergTableMetadata? Metadata)> LoadAsync(CancellationToken cancellationToken)
    {
        var location = await _catalog.LoadAsync(_registered, cancellationToken).ConfigureAwait(false);
        if (location is null)
        {
            return (null, null);
        }

        return (location, await ReadMetadataAsync(location, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IcebergTableMetadata> ReadMetadataAsync(string location, CancellationToken cancellationToken)
    {
        var stream = await Files.OpenReadAsync(location, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            return IcebergTableMetadata.Parse(await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Gets the definition's schema over the table's current one: field ids kept by name, new columns get new ids.</summary>
    public IcebergSchema SchemaFor(IcebergTableMetadata? current)
        => IcebergSchema.Evolve(current, [.. DatasetLayout.CuratedFileColumns(Definition).Select(c => (c.Name, IcebergType.From(c.Type), c.Description))]);

    /// <summary>Gets the field id of every file column, for the Parquet schema.</summary>
    public static IReadOnlyDictionary<string, int> FieldIds(IcebergSchema schema)
        => schema.Fields.ToDictionary(f => f.Name, f => f.Id, StringComparer.Ordinal);

    /// <summary>Maps the definition's partitioning to a spec: identity, day, month, year; the ingest date is day(_ingested_at).</summary>
    public IcebergPartitionSpec SpecFor(IcebergSchema schema)
    {
        var ids = FieldIds(schema);
        var fields = new List<IcebergPartitionField>();
        foreach (var p in Definition.Partitioning)
        {
            var (source, transform) = p.Transform switch
            {
                PartitionTransform.IngestDate => ("_ingested_at", "day"),
                PartitionTransform.Identity => (p.Column!, "identity"),
                PartitionTransform.Day => (p.Column!, "day"),
                PartitionTransform.Month => (p.Column!, "month"),
                PartitionTransform.Year => (p.Column!, "year"),
                _ => throw new InvalidOperationException($"Unknown partition transform {p.Transform}."),
            };
            fields.Add(new IcebergPartitionField(ids[source], 1000 + fields.Count, p.EffectiveName, transform));
        }

        return new IcebergPartitionSpec(0, fields);
    }

    /// <summary>The metadata of the table before its first commit (no snapshot; written by that commit).</summary>
    private IcebergTableMetadata NewTable()
    {
        var schema = SchemaFor(null);
        return IcebergTableMetadata.Create(Files.Location, schema, SpecFor(schema), Properties(), _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Lists the live data files of the current snapshot (none for a table without snapshots).</summary>
    public static async Task<IReadOnlyList<IcebergDataFile>> LiveFilesAsync(IIcebergFileIO files, IcebergTableMetadata metadata, long? snapshotId, CancellationToken cancellationToken)
        => metadata.CurrentSnapshotId is null && snapshotId is null
            ? []
            : await IcebergTableScan.ListFilesAsync(files, metadata, snapshotId, cancellationToken).ConfigureAwait(false);

    /// <summary>Returns whether the table has a snapshot of the manifest's run (recovery: the run passed its commit point).</summary>
    public async Task<bool> HasSnapshotOfAsync(Commit.CommitManifest manifest, CancellationToken cancellationToken)
    {
        var (_, metadata) = await LoadAsync(cancellationToken).ConfigureAwait(false);
        return metadata is not null && FindRun(metadata, manifest.RunId) is not null;
    }

    /// <summary>Returns the snapshot a run committed, searching the table's snapshots for its run id.</summary>
    public static IcebergSnapshot? FindRun(IcebergTableMetadata metadata, string runId)
        => metadata.Snapshots.FirstOrDefault(s => s.Summary.TryGetValue(RunIdProperty, out var id) && id == runId);

    /// <summary>The ids of the current snapshot and its ancestors, newest first: the table's current history.</summary>
    public static IReadOnlyList<IcebergSnapshot> Lineage(IcebergTableMetadata metadata)
    {
        var lineage = new List<IcebergSnapshot>();
        for (var snapshot = metadata.CurrentSnapshot; snapshot is not null; snapshot = snapshot.ParentSnapshotId is { } parent ? metadata.Snapshot(parent) : null)
        {
            lineage.Add(snapshot);
        }

        return lineage;
    }

    /// <summary>The input fingerprints of a snapshot (<see cref="InputsProperty"/>).</summary>
    public static IEnumerable<string> InputsOf(IcebergSnapshot snapshot)
        => snapshot.Summary.TryGetValue(InputsProperty, out var inputs) ? inputs.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>
    /// Makes an earlier snapshot current as a new metadata version, by one compare-and-swap of the pointer: readers switch
    /// atomically, and the history keeps every snapshot (the rolled-back ones until they expire). A commit that lands
    /// between reading and swapping makes the swap fail; it is retried on the new state. Returns the new metadata location.
    /// </summary>
    public async Task<string> RollbackAsync(long snapshotId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (location, metadata) = await LoadAsync(cancellationToken).ConfigureAwait(false);
            if (metadata?.Snapshot(snapshotId) is null)
            {
                throw new SnapshotNotFoundException(Definition.Id, $"Dataset {Definition.Id} has no snapshot {snapshotId}; ingest snapshots {Definition.Id} lists them.");
            }

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var next = metadata with
            {
                LastUpdatedMs = now,
                CurrentSnapshotId = snapshotId,
                SnapshotLog = [.. metadata.SnapshotLog, (now, snapshotId)],
                MetadataLog = [.. metadata.MetadataLog, (metadata.LastUpdatedMs, location!)],
            };
            var newLocation = string.Create(CultureInfo.InvariantCulture, $"{metadata.Location}/metadata/{IcebergCommitBuilder.VersionOf(location!) + 1:D5}-{Guid.NewGuid()}.metadata.json");
            await Files.WriteAsync(newLocation, System.Text.Encoding.UTF8.GetBytes(next.ToJson()), cancellationToken).ConfigureAwait(false);
            if (await SwapAsync(location, newLocation, cancellationToken).ConfigureAwait(false))
            {
                return newLocation;
            }

            if (attempt >= MaxAttempts)
            {
                throw new ConcurrencyConflictException($"Dataset {Definition.Id}: the rollback lost {attempt} swaps to other writers; nothing changed. Try again when no run is committing.") { Dataset = Definition.Id, IsTransient = true };
            }
        }
    }

    /// <summary>
    /// Commits a run's files as one snapshot, built on the table's current state. An append rebases on whatever another
    /// writer committed; an overwrite or merge goes ahead only while <paramref name="stillValid"/> says the live files of
    /// its scope are still the ones it planned on (checked before every attempt), and fails with a concurrency error
    /// otherwise. A lost swap is retried with backoff. Returns the new snapshot's id.
    /// </summary>
    public async Task<long> CommitAsync(
        string operation,
        IReadOnlyList<StagedFile> added,
        IReadOnlyList<string> removedKeys,
        IReadOnlyDictionary<string, string> summary,
        Func<IReadOnlyList<IcebergDataFile>, bool>? stillValid,
        Action beforeSwap,
        CancellationToken cancellationToken)
    {
        var removed = removedKeys.Select(Files.LocationOf).ToHashSet(StringComparer.Ordinal);
        var delay = TimeSpan.FromMilliseconds(20);
        for (var attempt = 1; ; attempt++)
        {
            // The first commit creates the table: a run that fails before it leaves no metadata behind.
            var (location, loaded) = await LoadAsync(cancellationToken).ConfigureAwait(false);
            var current = loaded ?? NewTable();
            if (stillValid is not null)
            {
                var live = await LiveFilesAsync(Files, current, null, cancellationToken).ConfigureAwait(false);
                if (!stillValid(live))
                {
                    throw Conflict($"its {operation} was planned on a snapshot that another writer replaced");
                }
            }

            var schema = SchemaFor(current);
            var spec = SpecFor(schema);
            var dataFiles = added.Select(f => ToDataFile(f, schema, spec)).ToList();
            var next = await new IcebergCommitBuilder(Files, current, location)
                .WithSchema(schema)
                .WithProperties(Properties())
                .CommitAsync(operation, dataFiles, removed, summary, NewSnapshotId(), _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)
                .ConfigureAwait(false);
            var newLocation = next.MetadataLocation;
            await Files.WriteAsync(newLocation, System.Text.Encoding.UTF8.GetBytes(next.Metadata.ToJson()), cancellationToken).ConfigureAwait(false);
            beforeSwap();

            if (await SwapAsync(location, newLocation, cancellationToken).ConfigureAwait(false))
            {
                return next.Metadata.CurrentSnapshotId!.Value;
            }

            if (attempt >= MaxAttempts)
            {
                throw Conflict($"another writer kept committing first ({attempt} attempts)");
            }

            // Another writer committed in between: re-read and try again (jittered backoff).
            await Task.Delay(delay + TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(20)), _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    /// <summary>
    /// Swaps the catalog's pointer from <paramref name="expected"/> to <paramref name="next"/> (the commit point); when
    /// the catalog cannot tell whether the swap took effect, reads the pointer back. Writes the version hint after a swap.
    /// </summary>
    public async Task<bool> SwapAsync(string? expected, string next, CancellationToken cancellationToken)
    {
        bool swapped;
        try
        {
            swapped = await _catalog.TryCommitAsync(_registered, expected, next, cancellationToken).ConfigureAwait(false);
        }
        catch (IcebergCommitStateUnknownException)
        {
            swapped = await _catalog.LoadAsync(_registered, CancellationToken.None).ConfigureAwait(false) == next;
            if (!swapped)
            {
                throw;
            }
        }

        if (swapped)
        {
            await WriteVersionHintAsync(next, CancellationToken.None).ConfigureAwait(false);
        }

        return swapped;
    }

    private ConcurrencyConflictException Conflict(string what) => new(
        $"Dataset {Definition.Id}: the Iceberg commit failed because {what}; nothing of this run was published. Run it again: it will plan on the table's new state.")
    {
        Dataset = Definition.Id,
        IsTransient = true,
    };

    private Dictionary<string, string> Properties() => new(StringComparer.Ordinal)
    {
        ["write.format.default"] = "parquet",
        ["write.parquet.compression-codec"] = Definition.Write.Compression.ToString().ToLowerInvariant(),
        ["ingest.dataset"] = Definition.Id.ToString(),
        [MaxSnapshotAgeProperty] = ((long)Definition.Table.Maintenance.SnapshotRetentionDays * 86_400_000).ToString(CultureInfo.InvariantCulture),
        [MinSnapshotsToKeepProperty] = Definition.Table.Maintenance.MinSnapshotsToKeep.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Writes <c>metadata/version-hint.text</c> for file-based readers; a hint only (the catalog is the pointer), so failures are ignored.</summary>
    private async Task WriteVersionHintAsync(string metadataLocation, CancellationToken cancellationToken)
    {
        try
        {
            var name = metadataLocation[(metadataLocation.LastIndexOf('/') + 1)..];
            await Files.WriteAsync(Files.Location + "/metadata/version-hint.text", System.Text.Encoding.UTF8.GetBytes(name.Replace(".metadata.json", string.Empty, StringComparison.Ordinal)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or IngestException or UnauthorizedAccessException)
        {
            // The hint is advisory; readers that use it fall back to listing metadata files.
        }
    }

    private static long NewSnapshotId() => RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)RandomNumberGenerator.GetInt32(1, int.MaxValue);

    /// <summary>Describes a written Parquet file for a manifest: partition tuple, counts, sizes and bounds by field id.</summary>
    private IcebergDataFile ToDataFile(StagedFile file, IcebergSchema schema, IcebergPartitionSpec spec)
    {
        var ids = FieldIds(schema);
        var sizes = new Dictionary<int, long>();
        var values = new Dictionary<int, long>();
        var nulls = new Dictionary<int, long>();
        var lower = new Dictionary<int, byte[]>();
        var upper = new Dictionary<int, byte[]>();
        foreach (var column in file.Statistics)
        {
            var id = ids[column.Column.Name];
            sizes[id] = column.CompressedBytes;
            values[id] = column.Values;
            nulls[id] = column.Nulls;
            if (column.Min is { } min && column.Max is { } max)
            {
                lower[id] = Bound(column.Column, min);
                upper[id] = Bound(column.Column, max);
            }
        }

        return new IcebergDataFile
        {
            FilePath = Files.LocationOf(file.FinalKey),
            FileFormat = "PARQUET",
            RecordCount = file.Rows,
            FileSizeInBytes = file.Bytes,
            Partition = PartitionValues(file.PartitionPath, spec, schema),
            ColumnSizes = sizes,
            ValueCounts = values,
            NullValueCounts = nulls,
            LowerBounds = lower,
            UpperBounds = upper,
        };
    }

    /// <summary>Parquet PLAIN statistics are Iceberg's single-value encoding except for decimals (fixed width → minimal width).</summary>
    private static byte[] Bound(ParquetColumn column, byte[] plain)
        => column.Type.Kind == ColumnKind.Decimal ? IcebergValues.DecimalFromFixed(plain) : plain;

    /// <summary>
    /// The partition tuple of a file from its partition path (<c>name=value/…/</c>, written by the partitioner from the
    /// row values): day, month and year as days, months and years since 1970-01-01; identity values in their column's type.
    /// </summary>
    private IReadOnlyList<object?> PartitionValues(string path, IcebergPartitionSpec spec, IcebergSchema schema)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var result = new object?[spec.Fields.Count];
        for (var i = 0; i < spec.Fields.Count; i++)
        {
            var field = spec.Fields[i];
            var segment = segments[i];
            var text = HivePartitionValue.Decode(segment[(segment.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (text == Partitioner.NullValue)
            {
                continue;
            }

            var inv = CultureInfo.InvariantCulture;
            result[i] = field.Transform switch
            {
                "day" => DateOnly.ParseExact(text, "yyyy-MM-dd", inv).DayNumber - EpochDay,
                "month" => ((int.Parse(text[..4], inv) - 1970) * 12) + int.Parse(text[5..7], inv) - 1,
                "year" => int.Parse(text, inv) - 1970,
                _ => IdentityValue(text, schema.Fields.First(f => f.Id == field.SourceId).Name),
            };
        }

        return result;
    }

    private object? IdentityValue(string text, string column)
    {
        var type = Definition.FindColumn(column)!.Type;
        if (!InvariantValues.TryParse(text, type, out var value))
        {
            throw new InvalidOperationException($"The partition value '{text}' of {column} does not parse as {type}.");
        }

        return value switch
        {
            DateOnly d => d.DayNumber - EpochDay,
            DateTime t => (t.Ticks - DateTime.UnixEpoch.Ticks) / 10,
            DateTimeOffset t => (t.UtcTicks - DateTime.UnixEpoch.Ticks) / 10,
            _ => value,
        };
    }

    private static readonly int EpochDay = new DateOnly(1970, 1, 1).DayNumber;
}
