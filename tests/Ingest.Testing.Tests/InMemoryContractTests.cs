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
