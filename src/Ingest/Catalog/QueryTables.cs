namespace Ingest.Catalog;

/// <summary>
/// A table a query reads, as the text names it: <c>[catalog.][database.]table</c> after <c>FROM</c>, <c>JOIN</c> or a comma
/// of a <c>FROM</c> list, quoted or not.
/// </summary>
/// <param name="Catalog">The catalog part, when the name has three parts.</param>
/// <param name="Database">The database part, when the name has two or three parts.</param>
/// <param name="Table">The table part.</param>
/// <param name="Alias">The alias the query gives the table, if any.</param>
/// <param name="Start">Where the name starts in the text.</param>
/// <param name="Length">The length of the name in the text (without the alias).</param>
internal sealed record QueryTableReference(string? Catalog, string? Database, string Table, string? Alias, int Start, int Length)
{
    /// <summary>Gets whether this reference names <c>database.table</c> (case-insensitively, as Athena and DuckDB resolve names).</summary>
    /// <param name="database">The database.</param>
    /// <param name="table">The table.</param>
    /// <param name="defaultDatabase">The database a name without one resolves to (Athena's is <c>default</c>).</param>
    public bool Names(string database, string table, string defaultDatabase = "default")
        => string.Equals(Table, table, StringComparison.OrdinalIgnoreCase)
           && string.Equals(Database ?? defaultDatabase, database, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Finds the tables a SQL query reads without running it: the names after <c>FROM</c> and <c>JOIN</c> (and the commas of a
/// <c>FROM</c> list) at every level of the query, in subqueries and <c>WITH</c> clauses too; names of <c>WITH</c> queries,
/// table functions (<c>UNNEST(…)</c>), and words in strings or comments are not tables. A tool for query engines that
/// add clauses to table references (time travel) and for estimates; it does not validate the SQL.
/// </summary>
internal static class QueryTables
{
    /// <summary>Returns the table references of <paramref name="sql"/>, in text order.</summary>
    public static IReadOnlyList<QueryTableReference> Find(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return [.. SqlQueryShape.Read(sql).Tables.Select(t => t.Reference)];
    }
}
