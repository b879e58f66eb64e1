using System.Diagnostics.CodeAnalysis;
using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Extensibility;

/// <summary>
/// The one way backend packages (Ingest.Local, Ingest.Aws, yours) register their options and backends. Experimental
/// (diagnostic <c>INGEST0001</c>): its shape may change in a minor version; see docs/extensibility.md.
/// </summary>
[Experimental(ExtensibilityDiagnostics.Id, UrlFormat = ExtensibilityDiagnostics.UrlFormat)]
public static class IngestBackendServiceCollectionExtensions
{
    /// <summary>
    /// Registers a backend package: its options, validated when the host starts by <paramref name="validate"/> (each string
    /// one problem that names the setting), and the <see cref="ILakeStorage"/>, <see cref="ISchemaRegistry"/>,
    /// <see cref="IRunLedger"/>, <see cref="IIcebergCatalog"/>, <see cref="ICatalog"/> and <see cref="IQueryEngine"/> of the
    /// backends <paramref name="create"/> builds once from the validated options and the container (its <see cref="TimeProvider"/>,
    /// <see cref="ILoggerFactory"/>, or the SDK clients the host registered), all as singletons added with <c>TryAdd</c> so that a host, a test or
    /// the package itself can register its own part first. A part the backends do not have resolves as
    /// <see langword="null"/> from <see cref="IServiceProvider.GetService"/>. Also adds <see cref="TimeProvider.System"/>
    /// unless a clock is registered.
    /// </summary>
    /// <typeparam name="TOptions">The package's options type.</typeparam>
    public static IServiceCollection AddIngestBackends<TOptions>(
        this IServiceCollection services,
        OptionsBuilder<TOptions> options,
        Func<TOptions, IReadOnlyList<string>> validate,
        Func<TOptions, IServiceProvider, IngestBackends> create)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(create);
        options.ValidateErrorsOnStart(validate);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Built<TOptions>(create(sp.GetRequiredService<IOptions<TOptions>>().Value, sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Lake);
        services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Registry);
        services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Ledger);

        // Null when the backends have none (GetService answers null): such a container runs Hive datasets only, or has no
        // catalog to keep in step, or no query engine.
        services.TryAddSingleton<IIcebergCatalog>(sp => sp.GetRequiredService<Built<TOptions>>().Backends.IcebergCatalog!);
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Catalog!);
        services.TryAddSingleton<IQueryEngine>(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Query!);
        return services;
    }

    /// <summary>The backends of one options type, built once per container.</summary>
    private sealed record Built<TOptions>(IngestBackends Backends);
}
