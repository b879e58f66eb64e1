using Ingest.Aws.Athena;
using Ingest.Aws.Protocol;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Tests.Protocol;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Testing;

namespace Ingest.Aws.Tests.Glue;

/// <summary>The catalog suite against the Glue catalog, over the loopback server keeping Glue's tables and partitions with state.</summary>
[Collection(AwsCollection.Name)]
public sealed class GlueCatalogContractTests(AwsServers servers) : CatalogContractTests, IAsyncLifetime
{
    private readonly StatefulGlueServer _glue = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _glue.DisposeAsync().AsTask();

    protected override Task<ICatalog> CreateCatalogAsync()
        => Task.FromResult(AwsAnalytics.CreateCatalog(_glue.Client(), AwsIngest.CreateBackends(servers.Options()).Lake));

    protected override Task<CatalogTableState?> DescribeTableAsync(ICatalog catalog, RegisteredDefinition definition)
    {
        var database = definition.Definition.CatalogDatabase;
        var table = _glue.Glue.Table(database, definition.Definition.CatalogTable);
        if (table is null)
        {
            return Task.FromResult<CatalogTableState?>(null);
        }

        var columns = table["StorageDescriptor"]!["Columns"]!.AsArray().Concat(table["PartitionKeys"]?.AsArray() ?? [])
            .Select(c => c!["Name"]!.GetValue<string>())
            .ToList();
        return Task.FromResult<CatalogTableState?>(new CatalogTableState(columns, _glue.Glue.Partitions(database, definition.Definition.CatalogTable)));
    }
}

/// <summary>The Iceberg catalog suite against Glue (a table with <c>table_type=ICEBERG</c>, swapped on its version id), over the stateful loopback Glue.</summary>
[Collection(AwsCollection.Name)]
public sealed class GlueIcebergCatalogContractTests(AwsServers servers) : IcebergCatalogContractTests, IAsyncLifetime
{
    private readonly StatefulGlueServer _glue = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _glue.DisposeAsync().AsTask();

    protected override Task<IIcebergCatalog> CreateCatalogAsync()
        => Task.FromResult(AwsAnalytics.CreateIcebergCatalog(_glue.Client(), AwsIngest.CreateBackends(servers.Options()).Lake));
}

/// <summary>The Iceberg catalog suite against the DynamoDB catalog table (dynalite), the default of <see cref="AwsIngest.CreateBackends(AwsIngestOptions, TimeProvider?, Microsoft.Extensions.Logging.ILoggerFactory?)"/>.</summary>
[Collection(AwsCollection.Name)]
public sealed class DynamoDbIcebergCatalogContractTests(AwsServers servers) : IcebergCatalogContractTests
{
    protected override Task<IIcebergCatalog> CreateCatalogAsync() => Task.FromResult(AwsIngest.CreateBackends(servers.Options()).IcebergCatalog!);
}

/// <summary>
/// The query engine suite against the Athena engine, over the loopback server answering Athena's calls by running them on
/// DuckDB (<see cref="AthenaOnDuckDb"/>): the client's binding, read-only check, polling, paging and typing meet real SQL.
/// </summary>
public sealed class AthenaQueryEngineContractTests : QueryEngineContractTests, IAsyncLifetime
{
    private readonly ModelCheckedLoopback _athena = new("athena-2017-05-18");
    private readonly AthenaOnDuckDb _duck = new();

    public Task InitializeAsync()
    {
        _duck.Serve(_athena.Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _athena.DisposeAsync();
        _duck.Dispose();
    }

    protected override Task<IQueryEngine> CreateEngineAsync(DatasetDefinition definition, string csv)
    {
        _duck.Load(definition, csv);
        return Task.FromResult<IQueryEngine>(new AthenaQueryEngine(new AthenaClient(_athena.Server.Client(AwsJsonService.Athena)), "analytics", "s3://results/ingest/"));
    }
}
