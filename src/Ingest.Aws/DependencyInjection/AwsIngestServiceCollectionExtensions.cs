using Amazon.DynamoDBv2;
using Amazon.S3;
using Ingest;
using Ingest.Aws;
using Ingest.Aws.CloudWatch;
using Ingest.Engine;
using Ingest.Extensibility;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AWS backends of Ingest.Aws.</summary>
public static class AwsIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the AWS backends (<see cref="ILakeStorage"/> in S3, <see cref="ISchemaRegistry"/> and <see cref="IRunLedger"/> in
    /// DynamoDB) as singletons, with <c>TryAdd</c> so that a host or a test can register its own part first. The S3 and DynamoDB
    /// clients are the host's <see cref="IAmazonS3"/> and <see cref="IAmazonDynamoDB"/> when the container has them (for
    /// example from <c>AWSSDK.Extensions.NETCore.Setup</c>'s <c>AddAWSService</c>), otherwise created from the options. The
    /// options are validated when the host starts. Combine with <c>AddIngest()</c> for the pipeline factory. Nothing is
    /// written to standard output: <see cref="AddIngestEmbeddedMetrics"/> opts in to one CloudWatch EMF record per run.
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
        services.AddIngestBackends(options, o => o.GetErrors(), (o, sp) => AwsIngest.CreateBackends(
            o, sp.GetService<IAmazonS3>(), sp.GetService<IAmazonDynamoDB>(), sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>
    /// Adds the run observer that writes one CloudWatch Embedded Metric Format record per run (<see cref="EmbeddedMetrics"/>),
    /// to standard output unless <see cref="EmbeddedMetricsOptions.Writer"/> is set (Lambda, ECS with awslogs and the CloudWatch
    /// agent ship standard output to CloudWatch Logs, where the records become metrics). Opt-in: <c>AddIngestAws</c> does not
    /// call it. Calling it again only configures the options (the observer is registered once).
    /// </summary>
    public static IServiceCollection AddIngestEmbeddedMetrics(this IServiceCollection services, Action<EmbeddedMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EmbeddedMetricsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateErrorsOnStart(o => o.GetErrors());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIngestRunObserver, EmbeddedMetricsObserver>());
        return services;
    }
}
