using DuckDB.NET.Data;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Local.Tests;

public sealed class FolderLakeStorageContractTests : LakeStorageContractTests, IDisposable
{
    private readonly TempRoot _root = new();

    protected override Task<ILakeStorage> CreateStorageAsync() => Task.FromResult(LocalIngest.CreateBackends(_root.Options).Lake);

    public void Dispose() => _root.Dispose();
}

public sealed class SqliteSchemaRegistryContractTests : SchemaRegistryContractTests, IDisposable
{
    private readonly TempRoot _root = new();

    protected override Task<ISchemaRegistry> CreateRegistryAsync(TimeProvider timeProvider)
        => Task.FromResult(LocalIngest.CreateBackends(_root.Options, timeProvider).Registry);

    public void Dispose() => _root.Dispose();
}

public sealed class SqliteRunLedgerContractTests : RunLedgerContractTests, IDisposable
{
    private readonly TempRoot _root = new();

    protected override Task<IRunLedger> CreateLedgerAsync(TimeProvider timeProvider)
        => Task.FromResult(LocalIngest.CreateBackends(_root.Options, timeProvider).Ledger);

    public void Dispose() => _root.Dispose();
}

/// <summary>The catalog suite against the DuckDB views in <c>catalog.duckdb</c>, read back from the file.</summary>
public sealed class DuckDbCatalogContractTests : CatalogContractTests, IDisposable
{
    private readonly TempRoot _root = new();

    protected override Task<ICatalog> CreateCatalogAsync() => Task.FromResult(LocalIngest.CreateBackends(_root.Options).Catalog!);

    protected override async Task<CatalogTableState?> DescribeTableAsync(ICatalog catalog, RegisteredDefinition definition)
    {
        var path = System.IO.Path.Combine(_root.Path, LocalIngest.CatalogFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var connection = new DuckDBConnection("DataSource=" + path);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2";
        command.Parameters.Add(new DuckDBParameter(definition.Definition.CatalogDatabase));
        command.Parameters.Add(new DuckDBParameter(definition.Definition.CatalogTable));
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<string>();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        // DuckDB reads a Hive table's partitions from its folders: nothing is registered.
        return columns.Count == 0 ? null : new CatalogTableState(columns, null);
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>The Iceberg catalog suite against the SQLite catalog table of <c>ingest.db</c>.</summary>
public sealed class SqliteIcebergCatalogContractTests : IcebergCatalogContractTests, IDisposable
{
    private readonly TempRoot _root = new();

    protected override Task<IIcebergCatalog> CreateCatalogAsync() => Task.FromResult(LocalIngest.CreateBackends(_root.Options).IcebergCatalog!);

    public void Dispose() => _root.Dispose();
}

/// <summary>The query engine suite against DuckDB over a local lake the suite's rows were ingested into by a real run.</summary>
public sealed class DuckDbQueryEngineContractTests : QueryEngineContractTests, IDisposable
{
    private readonly TempRoot _root = new();

    protected override async Task<IQueryEngine> CreateEngineAsync(DatasetDefinition definition, string csv)
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(definition);
        var bytes = System.Text.Encoding.UTF8.GetBytes(csv);
        var result = await new IngestPipelineBuilder(backends).ForDataset(definition.Id).Build()
            .RunAsync([IngestInput.FromStream("contract.csv", _ => Task.FromResult<Stream>(new MemoryStream(bytes)), bytes.Length)]);
        result.Run.RowsWritten.Should().Be(3, "the suite's rows are in the table");
        return backends.Query!;
    }

    public void Dispose() => _root.Dispose();
}
