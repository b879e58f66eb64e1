using Ingest;
using Ingest.Aws;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AWS backends of Ingest.Aws.</summary>
public static class AwsIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the AWS backends (<see cref="ILakeStorage"/> in S3, <see cref="ISchemaRegistry"/> and <see cref="IRunLedger"/> in
    /// DynamoDB) as singletons, with <c>TryAdd</c> so that a host or a test can register its own part first. The options are
    /// validated on start. Combine with <c>AddIngest()</c> for the pipeline factory.
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
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsIngestOptions>, AwsIngestOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AwsBackends(AwsIngest.CreateBackends(
            sp.GetRequiredService<IOptions<AwsIngestOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>())));
        services.TryAddSingleton(sp => sp.GetRequiredService<AwsBackends>().Backends.Lake);
        services.TryAddSingleton(sp => sp.GetRequiredService<AwsBackends>().Backends.Registry);
        services.TryAddSingleton(sp => sp.GetRequiredService<AwsBackends>().Backends.Ledger);
        AwsAnalytics.AddServices(services);
        return services;
    }

    private sealed record AwsBackends(IngestBackends Backends);

    private sealed class AwsIngestOptionsValidator : IValidateOptions<AwsIngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, AwsIngestOptions options)
        {
            var errors = options.GetErrors();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
