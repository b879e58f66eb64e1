using System.Text;
using DuckDB.NET.Data;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

/// <summary>
/// In-memory backends plus an independent reader: lake objects are copied to a temporary folder and read
/// back with DuckDB, so assertions never trust the engine's own Parquet code.
/// </summary>
internal sealed class EngineHarness : IDisposable
{
    private readonly string _dumpRoot = Path.Combine(Path.GetTempPath(), "ingest-engine-" + Guid.NewGuid().ToString("N"));

    public EngineHarness(TimeProvider? timeProvider = null)
    {
        Backends = InMemoryIngest.CreateBackends(timeProvider);
        Time = timeProvider ?? TimeProvider.System;
    }

    public IngestBackends Backends { get; }

    public TimeProvider Time { get; }

    public InMemoryLakeStorage Lake => (InMemoryLakeStorage)Backends.Lake;

    public async Task<DatasetDefinition> RegisterAsync(DatasetDefinition definition)
    {
        await Backends.Registry.RegisterAsync(definition);
        return definition;
    }

    public static IngestInput Text(string name, string content, Encoding? encoding = null)
    {
        var bytes = (encoding ?? new UTF8Encoding(false)).GetBytes(content);
        return Bytes(name, bytes);
    }

    public static IngestInput Bytes(string name, byte[] bytes)
        => IngestInput.FromStream(name, _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)), bytes.Length);

    public Task<IngestRunResult> RunAsync(DatasetId dataset, params IngestInput[] inputs)
        => RunAsync(dataset, (Action<IngestPipelineBuilder>?)null, inputs);

    public Task<IngestRunResult> RunAsync(DatasetId dataset, Action<IngestPipelineBuilder>? configure, params IngestInput[] inputs)
    {
        var builder = new IngestPipelineBuilder(Backends).ForDataset(dataset).UseTimeProvider(Time);
        configure?.Invoke(builder);
        var pipeline = builder.Build();

        // No inputs: a database source is extracted (IngestPipeline.ExtractAndRunAsync).
        return inputs.Length == 0 ? pipeline.ExtractAndRunAsync() : pipeline.RunAsync(inputs);
    }

    public Task<IngestRunResult> RunAsync(DatasetId dataset, IngestRunOptions options, params IngestInput[] inputs)
        => new IngestPipelineBuilder(Backends).ForDataset(dataset).UseTimeProvider(Time).Build().RunAsync(inputs, options);

    public IReadOnlyList<string> Keys(LakeZone zone) => [.. Lake.Objects.Where(o => o.Zone == zone).Select(o => o.Key)];

    /// <summary>Runs SQL in DuckDB over a copy of a zone; <c>{curated}</c> and <c>{quarantine}</c> expand to read_parquet over the dataset.</summary>
    /// <remarks>An Iceberg table's <c>{curated}</c> is exactly its current snapshot's files (as every reader of it resolves them).</remarks>
    public async Task<List<object?[]>> QueryAsync(DatasetId dataset, string sql)
    {
        var folder = await DumpAsync();
        var registered = await Backends.Registry.GetAsync(dataset);
        IReadOnlyList<string>? snapshotFiles = null;
        if (registered?.Definition.TableFormat == TableFormat.Iceberg)
        {
            var root = Lake.GetAddress(LakeZone.Curated, string.Empty);
            snapshotFiles = [.. (await TableSnapshots.ResolveAsync(registered, Lake, Backends.IcebergCatalog!)).Files
                .Select(address => Path.Combine(folder, LakeZone.Curated.Name, address[root.Length..]))];
        }

        string Source(LakeZone zone)
        {
            if (zone == LakeZone.Curated && snapshotFiles is not null)
            {
                return snapshotFiles.Count == 0
                    ? "(SELECT NULL AS nothing WHERE false)"
                    : $"read_parquet([{string.Join(", ", snapshotFiles.Select(f => "'" + f + "'"))}], union_by_name = true)";
            }

            var dir = Path.Combine(folder, zone.Name, dataset.Domain, dataset.Name);
            return $"read_parquet('{dir}/**/*.parquet', hive_partitioning = true, union_by_name = true)";
        }

        var glob = $"'{Path.Combine(folder, LakeZone.Curated.Name, dataset.Domain, dataset.Name)}/**/*.parquet'";
        var quarantineGlob = $"'{Path.Combine(folder, LakeZone.Quarantine.Name, dataset.Domain, dataset.Name)}/**/*.parquet'";
        var text = sql.Replace("{curated_glob}", glob, StringComparison.Ordinal)
            .Replace("{quarantine_glob}", quarantineGlob, StringComparison.Ordinal)
            .Replace("{curated}", Source(LakeZone.Curated), StringComparison.Ordinal)
            .Replace("{quarantine}", Source(LakeZone.Quarantine), StringComparison.Ordinal);
        return Query(text);
    }

    /// <summary>Runs SQL in a new in-memory DuckDB (time zone UTC) and returns every row.</summary>
    public static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using (var tz = connection.CreateCommand())
        {
            tz.CommandText = "SET TimeZone = 'UTC'";
            tz.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task<object?> ScalarAsync(DatasetId dataset, string sql) => (await QueryAsync(dataset, sql)).Single()[0];

    private async Task<string> DumpAsync()
    {
        var folder = Path.Combine(_dumpRoot, Guid.NewGuid().ToString("N"));
        foreach (var item in Lake.Objects)
        {
            var path = Path.Combine(folder, item.Zone.Name, item.Key.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var source = await Lake.OpenReadAsync(item.Zone, item.Key);
            await using var target = File.Create(path);
            await source.CopyToAsync(target);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose()
    {
        if (Directory.Exists(_dumpRoot))
        {
            Directory.Delete(_dumpRoot, recursive: true);
        }
    }
}
