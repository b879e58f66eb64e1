using Ingest;
using Ingest.Aws;
using Ingest.Aws.CloudWatch;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AWS backends of Ingest.Aws.</summary>
public static class AwsIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the AWS backends (<see cref="ILakeStorage"/> in S3, <see cref="ISchemaRegistry"/> and <see cref="IRunLedger"/> in
    /// DynamoDB) as singletons, with <c>TryAdd</c> so that a host or a test can register its own part first. The options are
    /// validated on start. Combine with <c>AddIngest()</c> for the pipeline factory. Every run of its pipelines writes one
    /// CloudWatch EMF record to standard output (<see cref="AddIngestEmbeddedMetrics"/> changes the writer or turns it off).
    /// </summary>
    public static IServiceCollection AddIngestAws(this IServiceCollection services, Action<AwsIngestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AwsIngestOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services, options);
    }

    /// <summary>Adds the AWS backends with options bound from a configuration section (for example <c>Ingest:Aws</c>).</summary>
    public static IServiceCollection AddIngestAws(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, services.AddOptions<AwsIngestOptions>().Bind(configuration));
    }

    private static IServiceCollection AddCore(IServiceCollection services, OptionsBuilder<AwsIngestOptions> options)
    {
        // The Glue, Athena and Iceberg-catalog services first: the backends built from the options have none of them.
        AwsAnalytics.AddServices(services);
        services.AddIngestBackends(options, o => o.GetErrors(), AwsIngest.CreateBackends, withCatalogAndQuery: false);
        services.AddIngestEmbeddedMetrics();
        return services;
    }

    /// <summary>
    /// Adds the run observer that writes one CloudWatch Embedded Metric Format record per run (<see cref="EmbeddedMetrics"/>),
    /// to standard output unless <see cref="EmbeddedMetricsOptions.Writer"/> is set. <c>AddIngestAws</c> calls it; calling it
    /// again only configures the options (the observer is registered once).
    /// </summary>
    public static IServiceCollection AddIngestEmbeddedMetrics(this IServiceCollection services, Action<EmbeddedMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EmbeddedMetricsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !string.IsNullOrWhiteSpace(o.Namespace), "EmbeddedMetricsOptions.Namespace is blank: name a CloudWatch namespace (the default is 'Ingest').").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIngestRunObserver, EmbeddedMetricsObserver>());
        return services;
    }
}
