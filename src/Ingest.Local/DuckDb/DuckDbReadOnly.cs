using DuckDB.NET.Data;
using Ingest.Catalog;

namespace Ingest.Local.DuckDb;

/// <summary>
/// The local query engine runs queries only. DuckDB's own parser decides what a statement is: <c>json_serialize_sql</c>
/// serializes SELECT statements (DESCRIBE, SHOW, SUMMARIZE, VALUES, TABLE and FROM-first queries are SELECTs to it) and
/// refuses every other kind (COPY, DROP, CREATE, INSERT, ATTACH, SET, PRAGMA, INSTALL, …). EXPLAIN is checked on the
/// statement it explains.
/// </summary>
internal static class DuckDbReadOnly
{
    /// <summary>The statement kinds that run, as the refusal lists them.</summary>
    public const string Allowed = "SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN";

    /// <summary>Throws <see cref="QueryException"/> when <paramref name="sql"/> holds a statement that is not a query; a syntax error is left to the query itself.</summary>
    public static async Task EnsureQueryAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        if (!await IsQueryAsync(connection, sql, cancellationToken).ConfigureAwait(false))
        {
            // Name the statement that is not a query: split naively at ';' (only for the message; DuckDB decided above).
            var offending = sql;
            foreach (var part in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!await IsQueryAsync(connection, part, cancellationToken).ConfigureAwait(false))
                {
                    offending = part;
                    break;
                }
            }

            throw new QueryException(
                $"ingest query is read-only: it runs queries ({Allowed}), and this is a {FirstWord(WithoutExplain(offending))} statement. Nothing was run.",
                sql);
        }
    }

    private static async Task<bool> IsQueryAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "SELECT json_serialize_sql($1::VARCHAR)::JSON ->> 'error_type'";
            command.Parameters.Add(new DuckDBParameter(WithoutExplain(sql)));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string != "not implemented";
        }
    }

    /// <summary>Returns the statement an EXPLAIN [ANALYZE] explains, or the text itself.</summary>
    internal static string WithoutExplain(string sql)
    {
        var rest = SkipTrivia(sql, 0);
        foreach (var keyword in new[] { "EXPLAIN", "ANALYZE" })
        {
            if (string.Equals(Word(sql, rest), keyword, StringComparison.OrdinalIgnoreCase))
            {
                rest = SkipTrivia(sql, rest + keyword.Length);
            }
        }

        return sql[rest..];
    }

    /// <summary>The statement's first keyword in upper case (<c>COPY</c>, <c>DROP</c>), for the message.</summary>
    internal static string FirstWord(string sql)
    {
        var word = Word(sql, SkipTrivia(sql, 0));
        return word.Length == 0 ? "non-query" : word.ToUpperInvariant();
    }

    private static string Word(string sql, int start)
    {
        var end = start;
        while (end < sql.Length && char.IsAsciiLetter(sql[end]))
        {
            end++;
        }

        return sql[start..end];
    }

    /// <summary>Skips white space, <c>-- …</c> and <c>/* … */</c> comments and opening parentheses.</summary>
    private static int SkipTrivia(string sql, int i)
    {
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]) || sql[i] == '(')
            {
                i++;
            }
            else if (string.CompareOrdinal(sql, i, "--", 0, 2) == 0)
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (string.CompareOrdinal(sql, i, "/*", 0, 2) == 0)
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }
}
