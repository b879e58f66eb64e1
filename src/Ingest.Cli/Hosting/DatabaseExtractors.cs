using Ingest.Database;
using Ingest.Definitions;
using Ingest.Engine;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ingest.Cli.Hosting;

/// <summary>
/// The extractor of database sources for <c>ingest run</c>: the three providers the tool ships, connection strings from the
/// environment (<c>INGEST_ConnectionStrings__&lt;name&gt;</c>, or <c>ConnectionStrings__&lt;name&gt;</c>).
/// </summary>
internal static class DatabaseExtractors
{
    public static ISourceExtractor Create(ILoggerFactory loggerFactory) => DatabaseIngest.CreateExtractor(Options(), loggerFactory: loggerFactory);

    /// <summary>The options of the tool's database sources: its three providers, connection strings from the environment.</summary>
    public static DatabaseSourceOptions Options()
    {
        var options = new DatabaseSourceOptions();
        options.Providers[DatabaseProvider.Postgresql] = NpgsqlFactory.Instance;
        options.Providers[DatabaseProvider.SqlServer] = SqlClientFactory.Instance;
        options.Providers[DatabaseProvider.Sqlite] = SqliteFactory.Instance;
        return options;
    }
}
