using Ingest.Aws.Athena;
using Ingest.Aws.Glue;
using Ingest.Aws.StepFunctions;
using Ingest.Catalog;
using Ingest.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ingest.Aws;

/// <summary>Adds the Glue Data Catalog (table catalog and Iceberg catalog) and the Athena query engine to AWS backends (<see cref="WithGlueAndAthena"/>).</summary>
public static class AwsAnalytics
{
    /// <summary>Creates a Glue client (no request is made here; the credentials are resolved at the first request).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    internal static IGlueClient CreateGlueClient(AwsIngestOptions options, TimeProvider? timeProvider = null)
        => new GlueClient(Protocol.AwsJsonClientFactory.Create(options, Protocol.AwsJsonService.Glue, options?.GlueServiceUrl, timeProvider));

    /// <summary>Creates an Athena client.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    internal static IAthenaClient CreateAthenaClient(AwsIngestOptions options, TimeProvider? timeProvider = null)
        => new AthenaClient(Protocol.AwsJsonClientFactory.Create(options, Protocol.AwsJsonService.Athena, options?.AthenaServiceUrl, timeProvider));

    /// <summary>Creates a Step Functions client.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    internal static IStepFunctionsClient CreateStepFunctionsClient(AwsIngestOptions options, TimeProvider? timeProvider = null)
        => new StepFunctionsClient(Protocol.AwsJsonClientFactory.Create(options, Protocol.AwsJsonService.StepFunctions, options?.StepFunctionsServiceUrl, timeProvider));

    /// <summary>Creates the Glue Data Catalog over a lake: table locations are the lake's addresses of the curated zone.</summary>
    /// <param name="glue">The Glue client.</param>
    /// <param name="lake">The lake (for <see cref="ILakeStorage.GetAddress"/>).</param>
    /// <param name="timeProvider">The clock of retry delays.</param>
    internal static ICatalog CreateCatalog(IGlueClient glue, ILakeStorage lake, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(glue);
        ArgumentNullException.ThrowIfNull(lake);
        return new GlueCatalog(glue, lake, timeProvider);
    }

    /// <summary>Creates the Athena query engine in the options' workgroup and result location.</summary>
    /// <param name="athena">The Athena client.</param>
    /// <param name="options">The options (<see cref="AwsIngestOptions.AthenaWorkgroup"/>, <see cref="AwsIngestOptions.AthenaOutputLocation"/>).</param>
    /// <param name="timeProvider">The clock of the polling delays.</param>
    internal static IQueryEngine CreateQueryEngine(IAthenaClient athena, AwsIngestOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(athena);
        ArgumentNullException.ThrowIfNull(options);
        return new AthenaQueryEngine(athena, options.AthenaWorkgroup, options.AthenaOutputLocation, timeProvider);
    }

    /// <summary>
    /// Creates the Athena query engine that also reads Iceberg tables as of an earlier snapshot (<see cref="QueryOptions.AsOf"/>):
    /// the registry and the Iceberg catalog tell it which tables are Iceberg datasets and which snapshots they have.
    /// </summary>
    /// <param name="athena">The Athena client.</param>
    /// <param name="options">The options (<see cref="AwsIngestOptions.AthenaWorkgroup"/>, <see cref="AwsIngestOptions.AthenaOutputLocation"/>).</param>
    /// <param name="registry">The schema registry.</param>
    /// <param name="lake">The lake.</param>
    /// <param name="icebergCatalog">The Iceberg catalog (Glue).</param>
    /// <param name="timeProvider">The clock of the polling delays.</param>
    internal static IQueryEngine CreateQueryEngine(IAthenaClient athena, AwsIngestOptions options, Registry.ISchemaRegistry registry, ILakeStorage lake, IIcebergCatalog icebergCatalog, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(athena);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(icebergCatalog);
        return new AthenaQueryEngine(athena, options.AthenaWorkgroup, options.AthenaOutputLocation, timeProvider, new AthenaTables(registry, lake, icebergCatalog));
    }

    /// <summary>Returns the backends with <see cref="IngestBackends.Catalog"/> in Glue and <see cref="IngestBackends.Query"/> in Athena.</summary>
    /// <param name="backends">Backends from <see cref="AwsIngest.CreateBackends(AwsIngestOptions, TimeProvider?, Microsoft.Extensions.Logging.ILoggerFactory?)"/>.</param>
    /// <param name="options">The same options.</param>
    /// <param name="timeProvider">The clock.</param>
    public static IngestBackends WithGlueAndAthena(this IngestBackends backends, AwsIngestOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var iceberg = CreateIcebergCatalog(CreateGlueClient(options, timeProvider), backends.Lake, timeProvider);
        return backends with
        {
            Catalog = CreateCatalog(CreateGlueClient(options, timeProvider), backends.Lake, timeProvider),
            IcebergCatalog = iceberg,
            Query = CreateQueryEngine(CreateAthenaClient(options, timeProvider), options, backends.Registry, backends.Lake, iceberg, timeProvider),
        };
    }

    /// <summary>Creates the Glue Data Catalog as Iceberg catalog (a commit is <c>UpdateTable</c> on the version id read with the pointer).</summary>
    /// <param name="glue">The Glue client.</param>
    /// <param name="lake">The lake (for the tables' locations).</param>
    /// <param name="timeProvider">The clock.</param>
    internal static IIcebergCatalog CreateIcebergCatalog(IGlueClient glue, ILakeStorage lake, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(glue);
        ArgumentNullException.ThrowIfNull(lake);
        return new GlueIcebergCatalog(glue, new GlueCatalog(glue, lake, timeProvider), lake);
    }

    /// <summary>The registrations <c>AddIngestAws</c> adds for these services (each with <c>TryAdd</c>).</summary>
    internal static void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton(sp => CreateGlueClient(sp.GetRequiredService<IOptions<AwsIngestOptions>>().Value, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateAthenaClient(sp.GetRequiredService<IOptions<AwsIngestOptions>>().Value, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateStepFunctionsClient(sp.GetRequiredService<IOptions<AwsIngestOptions>>().Value, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateCatalog(sp.GetRequiredService<IGlueClient>(), sp.GetRequiredService<ILakeStorage>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateIcebergCatalog(sp.GetRequiredService<IGlueClient>(), sp.GetRequiredService<ILakeStorage>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateQueryEngine(
            sp.GetRequiredService<IAthenaClient>(),
            sp.GetRequiredService<IOptions<AwsIngestOptions>>().Value,
            sp.GetRequiredService<Registry.ISchemaRegistry>(),
            sp.GetRequiredService<ILakeStorage>(),
            sp.GetRequiredService<IIcebergCatalog>(),
            sp.GetService<TimeProvider>()));
    }
}
