using Ingest;
using Ingest.Catalog;
using Ingest.Extensibility;
using Ingest.Ledger;
using Ingest.Local;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded local backends of Ingest.Local.</summary>
public static class LocalIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the local backends (<see cref="ILakeStorage"/>, <see cref="ISchemaRegistry"/>, <see cref="IRunLedger"/>,
    /// <see cref="ICatalog"/>, <see cref="IQueryEngine"/>) as singletons over one <see cref="LocalIngestOptions.Root"/>, with
    /// <c>TryAdd</c> so that a host or a test can register its own part first. The options are validated on start.
    /// Combine with <c>AddIngest()</c> for the pipeline factory.
    /// </summary>
    public static IServiceCollection AddIngestLocal(this IServiceCollection services, Action<LocalIngestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LocalIngestOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services, options);
    }

    /// <summary>Adds the local backends with options bound from a configuration section (for example <c>Ingest:Local</c>).</summary>
    public static IServiceCollection AddIngestLocal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, services.AddOptions<LocalIngestOptions>().Bind(configuration));
    }

    private static IServiceCollection AddCore(IServiceCollection services, OptionsBuilder<LocalIngestOptions> options)
        => services.AddIngestBackends(options, o => o.GetErrors(), (o, sp) => LocalIngest.CreateBackends(o, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
}
