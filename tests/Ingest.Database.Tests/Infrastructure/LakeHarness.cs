using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Local;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ingest.Database.Tests.Infrastructure;

/// <summary>A local lake (folder, SQLite ledger, DuckDB) in a temporary folder, and pipelines wired to the database extractor.</summary>
public sealed class LakeHarness : IDisposable
{
    public LakeHarness()
    {
        Root = Directory.CreateTempSubdirectory("ingest-db-tests-").FullName;
        Backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = Root });
    }

    public string Root { get; }

    public IngestBackends Backends { get; }

    public string LakeFolder => Path.Combine(Root, LocalIngest.LakeFolderName);

    /// <summary>Options with the three providers and the given connection strings.</summary>
    public static DatabaseSourceOptions Options(params (string Name, string ConnectionString)[] connections)
    {
        var options = new DatabaseSourceOptions();
        options.Providers[DatabaseProvider.Postgresql] = NpgsqlFactory.Instance;
        options.Providers[DatabaseProvider.SqlServer] = SqlClientFactory.Instance;
        options.Providers[DatabaseProvider.Sqlite] = SqliteFactory.Instance;
        foreach (var (name, connectionString) in connections)
        {
            options.ConnectionStrings[name] = connectionString;
        }

        return options;
    }

    public async Task RegisterAsync(string definitionJson)
        => await Backends.Registry.RegisterAsync(DatasetDefinitionSerializer.Deserialize(definitionJson));

    public IngestPipeline Pipeline(string dataset, DatabaseSourceOptions options, Action<IngestRow>? transform = null)
    {
        var builder = new IngestPipelineBuilder(Backends).ForDataset(dataset).UseSourceExtractor(DatabaseIngest.CreateExtractor(options));
        if (transform is not null)
        {
            builder.AddTransform(transform);
        }

        return builder.Build();
    }

    public async Task<List<IReadOnlyList<object?>>> QueryAsync(string sql)
    {
        await using var result = await Backends.Query!.QueryAsync(sql);
        var rows = new List<IReadOnlyList<object?>>();
        await foreach (var row in result.ReadRowsAsync())
        {
            rows.Add(row);
        }

        return rows;
    }

    public async Task<object?> ScalarAsync(string sql) => (await QueryAsync(sql))[0][0];

    public Task<string?> WatermarkAsync(string dataset, string key) => Backends.Ledger.GetWatermarkAsync(DatasetId.Parse(dataset), key);

    public async Task<List<RunRecord>> RunsAsync(string dataset)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in Backends.Ledger.ListRunsAsync(DatasetId.Parse(dataset)))
        {
            runs.Add(run);
        }

        return runs;
    }

    public IEnumerable<string> Files(string zone, string pattern = "*.parquet")
    {
        var folder = Path.Combine(LakeFolder, zone);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, pattern, SearchOption.AllDirectories).Where(f => !f.Contains("_staging", StringComparison.Ordinal)) : [];
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
