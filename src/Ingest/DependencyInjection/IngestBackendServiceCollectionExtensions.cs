using Ingest;
using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The one way backend packages (Ingest.Local, Ingest.Aws, yours) register their options and backends.</summary>
public static class IngestBackendServiceCollectionExtensions
{
    /// <summary>
    /// Registers a backend package: its options, validated on start by <paramref name="validate"/> (each string one problem
    /// that names the setting), and the <see cref="ILakeStorage"/>, <see cref="ISchemaRegistry"/>, <see cref="IRunLedger"/> and
    /// <see cref="IIcebergCatalog"/>
    /// — plus <see cref="ICatalog"/> and <see cref="IQueryEngine"/> when <paramref name="withCatalogAndQuery"/> — of the
    /// backends <paramref name="create"/> builds once, all as singletons added with <c>TryAdd</c> so that a host or a test
    /// can register its own part first. Also adds <see cref="TimeProvider.System"/> unless a clock is registered.
    /// </summary>
    /// <typeparam name="TOptions">The package's options type.</typeparam>
    public static IServiceCollection AddIngestBackends<TOptions>(
        this IServiceCollection services,
        OptionsBuilder<TOptions> options,
        Func<TOptions, IReadOnlyList<string>> validate,
        Func<TOptions, TimeProvider, ILoggerFactory?, IngestBackends> create,
        bool withCatalogAndQuery)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(create);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new DelegateValidator<TOptions>(validate)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Built<TOptions>(create(
            sp.GetRequiredService<IOptions<TOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>())));
        services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Lake);
        services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Registry);
        services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Ledger);
        // Null when the backends have none (GetService answers null): such a container runs Hive datasets only.
        services.TryAddSingleton<IIcebergCatalog>(sp => sp.GetRequiredService<Built<TOptions>>().Backends.IcebergCatalog!);

        if (withCatalogAndQuery)
        {
            services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Catalog
                ?? throw new InvalidOperationException($"The backends built from {typeof(TOptions).Name} have no catalog."));
            services.TryAddSingleton(sp => sp.GetRequiredService<Built<TOptions>>().Backends.Query
                ?? throw new InvalidOperationException($"The backends built from {typeof(TOptions).Name} have no query engine."));
        }

        return services;
    }

    /// <summary>The backends of one options type, built once per container.</summary>
    private sealed record Built<TOptions>(IngestBackends Backends);

    private sealed class DelegateValidator<TOptions>(Func<TOptions, IReadOnlyList<string>> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var errors = validate(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
