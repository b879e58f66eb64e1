using Ingest.Database;
using Ingest.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the database extractor of Ingest.Database.</summary>
public static class DatabaseIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="ISourceExtractor"/> of database sources (with <c>TryAdd</c>); <c>AddIngest()</c>'s pipeline factory hands it to
    /// every pipeline. Connection strings come from <see cref="DatabaseSourceOptions.ConnectionResolver"/>, an <see cref="IConnectionResolver"/>
    /// registered in the container, <see cref="DatabaseSourceOptions.ConnectionStrings"/>, the host configuration's
    /// <c>ConnectionStrings:&lt;name&gt;</c>, then the environment. The options are validated on start.
    /// </summary>
    public static IServiceCollection AddIngestDatabase(this IServiceCollection services, Action<DatabaseSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DatabaseSourceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateErrorsOnStart(o => o.GetErrors());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var value = sp.GetRequiredService<IOptions<DatabaseSourceOptions>>().Value;
            value.ConnectionResolver ??= sp.GetService<IConnectionResolver>();
            var configuration = sp.GetService<IConfiguration>();
            return DatabaseIngest.Create(value, configuration is null ? null : configuration.GetConnectionString, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>());
        });
        return services;
    }
}
