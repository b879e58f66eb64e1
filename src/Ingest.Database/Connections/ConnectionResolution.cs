using System.Data.Common;
using Ingest.Definitions;

namespace Ingest.Database.Connections;

/// <summary>
/// Resolves a definition's connection name and provider to a factory and a connection string, in a fixed order: the user's
/// resolver, the options' strings, the host configuration, the environment. Describes a connection without its secrets.
/// </summary>
internal sealed class ConnectionResolution(DatabaseSourceOptions options, Func<string, string?>? configuration)
{
    private static readonly string[] SecretKeys = ["password", "pwd", "secret", "token", "key", "credential"];

    public async ValueTask<string> ResolveAsync(DatasetId dataset, DatabaseSourceSettings database, CancellationToken cancellationToken)
    {
        var name = database.Connection;
        if (options.ConnectionResolver is { } resolver && await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false) is { Length: > 0 } resolved)
        {
            return resolved;
        }

        if (options.ConnectionStrings.TryGetValue(name, out var fromOptions))
        {
            return fromOptions;
        }

        var value = configuration?.Invoke(name)
            ?? Environment.GetEnvironmentVariable("INGEST_ConnectionStrings__" + name)
            ?? Environment.GetEnvironmentVariable("ConnectionStrings__" + name);
        return value is { Length: > 0 }
            ? value
            : throw new IngestException(
                $"Dataset {dataset}: connection '{name}' is not configured: set ConnectionStrings:{name} (environment INGEST_ConnectionStrings__{name}) or provide it through an IConnectionResolver.")
            {
                Dataset = dataset,
                Location = name,
            };
    }

    public DbProviderFactory Factory(DatasetId dataset, DatabaseProvider provider)
    {
        if (options.Providers.TryGetValue(provider, out var factory))
        {
            return factory;
        }

        var (invariant, package, instance) = provider switch
        {
            DatabaseProvider.Postgresql => ("Npgsql", "Npgsql", "NpgsqlFactory.Instance"),
            DatabaseProvider.SqlServer => ("Microsoft.Data.SqlClient", "Microsoft.Data.SqlClient", "SqlClientFactory.Instance"),
            _ => ("Microsoft.Data.Sqlite", "Microsoft.Data.Sqlite", "SqliteFactory.Instance"),
        };
        return DbProviderFactories.TryGetFactory(invariant, out var registered)
            ? registered
            : throw new IngestException(
                $"Dataset {dataset}: no ADO.NET provider for {Describe(provider)}: add the {package} package and set DatabaseSourceOptions.Providers[DatabaseProvider.{provider}] = {instance}.")
            {
                Dataset = dataset,
            };
    }

    /// <summary>Describes a connection for messages: its name, the product and the connection string without any secret.</summary>
    public static string Describe(DbProviderFactory factory, string name, DatabaseProvider provider, string connectionString)
    {
        string safe;
        try
        {
            var builder = factory.CreateConnectionStringBuilder() ?? new DbConnectionStringBuilder();
            builder.ConnectionString = connectionString;
            foreach (var key in builder.Keys.Cast<string>().ToList())
            {
                if (SecretKeys.Any(secret => key.Contains(secret, StringComparison.OrdinalIgnoreCase)))
                {
                    builder.Remove(key);
                }
            }

            safe = builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            safe = "an unreadable connection string";
        }

        return $"connection '{name}' ({Describe(provider)}: {safe})";
    }

    public static string Describe(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgresql => "PostgreSQL",
        DatabaseProvider.SqlServer => "SQL Server",
        _ => "SQLite",
    };
}
