namespace Ingest.Testing;

/// <summary>Creates in-memory backends for unit tests of code that runs pipelines.</summary>
public static class InMemoryIngest
{
    /// <summary>
    /// Creates a fresh set of in-memory backends: <see cref="InMemoryLakeStorage"/>, <see cref="InMemorySchemaRegistry"/>,
    /// <see cref="InMemoryRunLedger"/>, <see cref="InMemoryCatalog"/> and <see cref="InMemoryIcebergCatalog"/> (no query engine), all on one clock.
    /// </summary>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>. Pass a <c>FakeTimeProvider</c> to control lease expiry.</param>
    public static IngestBackends CreateBackends(TimeProvider? timeProvider = null)
    {
        var clock = timeProvider ?? TimeProvider.System;
        return new IngestBackends
        {
            Lake = new InMemoryLakeStorage(clock),
            Registry = new InMemorySchemaRegistry(clock),
            Ledger = new InMemoryRunLedger(clock),
            Catalog = new InMemoryCatalog(),
            IcebergCatalog = new InMemoryIcebergCatalog(),
        };
    }
}
