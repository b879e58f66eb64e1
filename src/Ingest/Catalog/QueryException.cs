namespace Ingest.Catalog;

/// <summary>The query engine rejected a query: a syntax or binding error, an unknown table, parameters that do not match.</summary>
public sealed class QueryException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public QueryException(string message, string sql, Exception? innerException = null)
        : base(message, innerException)
    {
        Sql = sql;
    }

    /// <summary>Gets the SQL text that was rejected.</summary>
    public string Sql { get; }
}
