using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-memory backends of Ingest.Testing.</summary>
public static class InMemoryIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds singleton <see cref="InMemoryLakeStorage"/>, <see cref="InMemorySchemaRegistry"/>, <see cref="InMemoryRunLedger"/>
    /// <see cref="InMemoryCatalog"/> and <see cref="InMemoryIcebergCatalog"/>, each also registered as its contract (<see cref="ILakeStorage"/>,
    /// <see cref="ISchemaRegistry"/>, <see cref="IRunLedger"/>, <see cref="ICatalog"/>, <see cref="IIcebergCatalog"/>), using the registered <see cref="TimeProvider"/> (the system clock when none is).
    /// Every registration uses <c>TryAdd</c>, so a test can register its own part first. Combine with <c>AddIngest()</c>.
    /// </summary>
    public static IServiceCollection AddIngestInMemory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new InMemoryLakeStorage(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new InMemorySchemaRegistry(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new InMemoryRunLedger(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<InMemoryCatalog>();
        services.TryAddSingleton<InMemoryIcebergCatalog>();
        services.TryAddSingleton<IIcebergCatalog>(sp => sp.GetRequiredService<InMemoryIcebergCatalog>());
        services.TryAddSingleton<ILakeStorage>(sp => sp.GetRequiredService<InMemoryLakeStorage>());
        services.TryAddSingleton<ISchemaRegistry>(sp => sp.GetRequiredService<InMemorySchemaRegistry>());
        services.TryAddSingleton<IRunLedger>(sp => sp.GetRequiredService<InMemoryRunLedger>());
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<InMemoryCatalog>());
        return services;
    }
}
