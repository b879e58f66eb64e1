using Ingest.Database.Connections;
using Ingest.Database.Extraction;
using Ingest.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Database;

/// <summary>Creates the database extractor without dependency injection (with it, use <c>services.AddIngestDatabase(...)</c>).</summary>
public static class DatabaseIngest
{
    /// <summary>
    /// Creates the extractor of <c>"format": "database"</c> sources; pass it to <see cref="IngestPipelineBuilder.UseSourceExtractor"/>.
    /// Connection strings come from <see cref="DatabaseSourceOptions.ConnectionResolver"/>, <see cref="DatabaseSourceOptions.ConnectionStrings"/>,
    /// then the environment variables <c>INGEST_ConnectionStrings__&lt;name&gt;</c> and <c>ConnectionStrings__&lt;name&gt;</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the setting).</exception>
    public static ISourceExtractor CreateExtractor(DatabaseSourceOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        => Create(options, null, timeProvider, loggerFactory);

    internal static ISourceExtractor Create(DatabaseSourceOptions options, Func<string, string?>? configuration, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.GetErrors() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        return new DatabaseExtractor(
            options,
            new ConnectionResolution(options, configuration),
            timeProvider ?? TimeProvider.System,
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Ingest.Database"));
    }
}
