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
