using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Testing.Tests;

public sealed class InMemoryLakeStorageContractTests : LakeStorageContractTests
{
    protected override Task<ILakeStorage> CreateStorageAsync() => Task.FromResult<ILakeStorage>(new InMemoryLakeStorage());
}

public sealed class InMemorySchemaRegistryContractTests : SchemaRegistryContractTests
{
    protected override Task<ISchemaRegistry> CreateRegistryAsync(TimeProvider timeProvider)
        => Task.FromResult<ISchemaRegistry>(new InMemorySchemaRegistry(timeProvider));
}

public sealed class InMemoryRunLedgerContractTests : RunLedgerContractTests
{
    protected override Task<IRunLedger> CreateLedgerAsync(TimeProvider timeProvider)
        => Task.FromResult<IRunLedger>(new InMemoryRunLedger(timeProvider));
}

public sealed class InMemoryCatalogContractTests : CatalogContractTests
{
    protected override Task<ICatalog> CreateCatalogAsync() => Task.FromResult<ICatalog>(new InMemoryCatalog());

    protected override Task<CatalogTableState?> DescribeTableAsync(ICatalog catalog, RegisteredDefinition definition)
    {
        var memory = (InMemoryCatalog)catalog;
        return Task.FromResult(memory.Tables.TryGetValue(definition.Dataset, out var table)
            ? new CatalogTableState([.. table.Definition.Columns.Select(c => c.Name), .. table.Definition.Partitioning.Select(p => p.EffectiveName)], memory.GetPartitions(definition.Dataset))
            : null);
    }
}

public sealed class InMemoryIcebergCatalogContractTests : IcebergCatalogContractTests
{
    protected override Task<IIcebergCatalog> CreateCatalogAsync() => Task.FromResult<IIcebergCatalog>(new InMemoryIcebergCatalog());
}
