using Ingest;
using Ingest.Catalog;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ingest's engine services. A backend package adds the storage, registry and ledger (for example <c>AddIngestLocal</c>).</summary>
public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IIngestPipelineFactory"/>, <see cref="IngestBackends"/> (resolved from the registered
    /// <see cref="ILakeStorage"/>, <see cref="ISchemaRegistry"/>, <see cref="IRunLedger"/> and, when present,
    /// <see cref="ICatalog"/> and <see cref="IQueryEngine"/>) and <see cref="TimeProvider.System"/> unless a clock is registered.
    /// </summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, Action<IngestPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<IngestPipelineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateErrorsOnStart(o => o.GetErrors());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new IngestBackends
        {
            Lake = sp.GetRequiredService<ILakeStorage>(),
            Registry = sp.GetRequiredService<ISchemaRegistry>(),
            Ledger = sp.GetRequiredService<IRunLedger>(),
            IcebergCatalog = sp.GetService<IIcebergCatalog>(),
            Catalog = sp.GetService<ICatalog>(),
            Query = sp.GetService<IQueryEngine>(),
        });
        services.AddIngestExtensions();
        services.TryAddSingleton<IIngestPipelineFactory, IngestPipelineFactory>();
        return services;
    }
}

/// <summary>Creates pipeline builders wired to the services registered in the container.</summary>
public interface IIngestPipelineFactory
{
    /// <summary>Returns a builder for <paramref name="dataset"/> with the container's backends, clock, logging, run observers (every registered <see cref="IIngestRunObserver"/>), custom rules and source formats (<see cref="IngestExtensions"/>) and default options.</summary>
    IngestPipelineBuilder CreateBuilder(Ingest.Definitions.DatasetId dataset);
}

internal sealed class IngestPipelineFactory(
    IngestBackends backends,
    TimeProvider timeProvider,
    IOptions<IngestPipelineOptions> options,
    IEnumerable<IIngestRunObserver> observers,
    ILoggerFactory? loggerFactory = null,
    ISourceExtractor? extractor = null,
    IngestExtensions? extensions = null) : IIngestPipelineFactory
{
    public IngestPipelineBuilder CreateBuilder(Ingest.Definitions.DatasetId dataset)
    {
        var defaults = options.Value;
        var builder = new IngestPipelineBuilder(backends);
        foreach (var observer in observers)
        {
            builder.AddRunObserver(observer);
        }

        if (extractor is not null)
        {
            builder.UseSourceExtractor(extractor);
        }

        if (extensions is not null)
        {
            builder.UseExtensions(extensions);
        }

        return builder
            .ForDataset(dataset)
            .UseTimeProvider(timeProvider)
            .UseLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance)
            .Configure(o =>
            {
                o.LeaseDuration = defaults.LeaseDuration;
                o.MaxOpenFiles = defaults.MaxOpenFiles;
                o.ProgressInterval = defaults.ProgressInterval;
            });
    }
}
