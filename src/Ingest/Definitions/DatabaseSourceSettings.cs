namespace Ingest.Definitions;

/// <summary>The database products whose SQL dialect and types Ingest knows.</summary>
public enum DatabaseProvider
{
    /// <summary>PostgreSQL (ADO.NET provider Npgsql).</summary>
    Postgresql,

    /// <summary>Microsoft SQL Server and Azure SQL (ADO.NET provider Microsoft.Data.SqlClient).</summary>
    SqlServer,

    /// <summary>SQLite (ADO.NET provider Microsoft.Data.Sqlite).</summary>
    Sqlite,
}

/// <summary>
/// A relational source: which connection, which rows, and how to extract only what changed. The connection is a
/// name; its connection string (with any password) is resolved at run time from configuration or a secret store and
/// never appears in the definition.
/// </summary>
public sealed record DatabaseSourceSettings
{
    /// <summary>Gets the connection name, resolved at run time (for example <c>ConnectionStrings:onprem</c>).</summary>
    public required string Connection { get; init; }

    /// <summary>Gets the database product, which decides the SQL dialect and the type mapping.</summary>
    public required DatabaseProvider Provider { get; init; }

    /// <summary>Gets the table or view to read, as <c>table</c> or <c>schema.table</c> (mutually exclusive with <see cref="Query"/>).</summary>
    public string? Table { get; init; }

    /// <summary>
    /// Gets a single <c>SELECT</c> (or <c>WITH … SELECT</c>) statement to read instead of a table. It is wrapped as a derived
    /// table, so the cursor and range predicates apply to its result columns.
    /// </summary>
    public string? Query { get; init; }

    /// <summary>Gets the incremental cursor; without one every run extracts all rows.</summary>
    public DatabaseCursor? Cursor { get; init; }

    /// <summary>Gets the schema column (int32 or int64) whose value ranges are read in parallel, when <see cref="Parallelism"/> is above 1.</summary>
    public string? PartitionColumn { get; init; }

    /// <summary>Gets the number of connections that read ranges of <see cref="PartitionColumn"/> at once.</summary>
    /// <value>The default is 1 (one connection, one query).</value>
    public int Parallelism { get; init; } = 1;

    /// <summary>Gets the command timeout in seconds for each extraction query; 0 means no limit.</summary>
    /// <value>The default is 0.</value>
    public int CommandTimeoutSeconds { get; init; }
}

/// <summary>
/// An incremental cursor: a column whose value only grows for new and changed rows (such as <c>updated_at</c> or an
/// identity id). A run extracts the rows above the committed watermark and up to an upper bound fixed when it starts.
/// </summary>
public sealed record DatabaseCursor
{
    /// <summary>Gets the schema column of the cursor (int32, int64, decimal, date or timestamp).</summary>
    public required string Column { get; init; }

    /// <summary>
    /// Gets how far below the largest cursor value the upper bound stays, so rows committed late with an earlier value are
    /// still picked up: seconds for a timestamp or date cursor, units of the column for a numeric cursor.
    /// </summary>
    /// <value>The default is 0 (the upper bound is the largest value at the start of the run).</value>
    public long Lag { get; init; }
}
