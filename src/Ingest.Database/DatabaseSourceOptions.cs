using System.Data.Common;
using Ingest.Definitions;

namespace Ingest.Database;

/// <summary>Options of the database extractor: the ADO.NET providers, where connection strings come from, and the extract's layout.</summary>
public sealed class DatabaseSourceOptions
{
    /// <summary>
    /// Gets the ADO.NET provider of each database product, such as <c>NpgsqlFactory.Instance</c>. A product without an entry is looked
    /// up in <see cref="DbProviderFactories"/> under its usual invariant name (<c>Npgsql</c>, <c>Microsoft.Data.SqlClient</c>, <c>Microsoft.Data.Sqlite</c>).
    /// </summary>
    public IDictionary<DatabaseProvider, DbProviderFactory> Providers { get; } = new Dictionary<DatabaseProvider, DbProviderFactory>();

    /// <summary>Gets connection strings by connection name, for hosts that configure them in code. Consulted after <see cref="ConnectionResolver"/>.</summary>
    public IDictionary<string, string> ConnectionStrings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets a resolver consulted first (a secret store, for example). After it and <see cref="ConnectionStrings"/> come the host's
    /// configuration (<c>ConnectionStrings:&lt;name&gt;</c>, when registered through dependency injection) and the environment variables
    /// <c>INGEST_ConnectionStrings__&lt;name&gt;</c> and <c>ConnectionStrings__&lt;name&gt;</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public IConnectionResolver? ConnectionResolver { get; set; }

    /// <summary>Gets or sets how many rows go into one row group of the raw Parquet extract (the extract's memory is bounded by it).</summary>
    /// <value>The default is 65,536.</value>
    public int RowGroupRows { get; set; } = 65_536;

    /// <summary>
    /// Gets or sets whether PostgreSQL sources are read with <c>COPY (SELECT …) TO STDOUT (FORMAT BINARY)</c> through Npgsql's binary
    /// exporter (same rows, values and errors as the ADO.NET reader, fewer conversions per value). Sources with a column type the
    /// binary reading does not know, and sessions that cannot create the temporary table holding the window's bounds, are read
    /// through ADO.NET either way.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool PostgresBinaryCopy { get; set; } = true;

    /// <summary>Returns the problems of these options, each naming the setting; empty when they are valid.</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (RowGroupRows is < 1_000 or > 10_000_000)
        {
            errors.Add($"DatabaseSourceOptions.RowGroupRows must be between 1,000 and 10,000,000 (was {RowGroupRows}).");
        }

        foreach (var (name, value) in ConnectionStrings)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"DatabaseSourceOptions.ConnectionStrings[{name}] is empty.");
            }
        }

        return errors;
    }
}
