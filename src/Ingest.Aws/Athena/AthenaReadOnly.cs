using System.Text.RegularExpressions;
using Ingest.Catalog;

namespace Ingest.Aws.Athena;

/// <summary>
/// Athena's engine runs DDL and writes (CREATE TABLE AS, INSERT, UNLOAD, DROP, MSCK, OPTIMIZE, VACUUM) as readily as
/// queries; the query engine sends queries only. In Athena's SQL (Trino) a query starts with one of
/// <see cref="Allowed"/>: a <c>WITH</c> clause cannot lead into an INSERT, and EXPLAIN ANALYZE runs the statement it
/// explains, so that statement is checked too. One statement per request.
/// </summary>
internal static partial class AthenaReadOnly
{
    /// <summary>The statement kinds that are sent.</summary>
    public const string Allowed = "SELECT, WITH, VALUES, TABLE, DESCRIBE, SHOW, EXPLAIN";

    private static readonly HashSet<string> Queries = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "WITH", "VALUES", "TABLE", "DESCRIBE", "SHOW", "EXPLAIN" };

    /// <summary>Throws <see cref="QueryException"/> unless <paramref name="sql"/> is one query.</summary>
    public static void EnsureQuery(string sql)
    {
        var words = LeadingWords().Match(sql);
        var first = words.Groups["first"].Value;
        var explained = words.Groups["explained"].Value;
        var kind = string.Equals(first, "EXPLAIN", StringComparison.OrdinalIgnoreCase) && explained.Length > 0 ? explained : first;
        if (!Queries.Contains(kind))
        {
            throw new QueryException(
                $"ingest query is read-only: it sends queries to Athena ({Allowed}), and this is a {(kind.Length == 0 ? "non-query" : kind.ToUpperInvariant())} statement. Nothing was sent; change tables with Terraform or the Glue Data Catalog.",
                sql);
        }

        if (HasSecondStatement(sql))
        {
            throw new QueryException("ingest query sends one statement to Athena; this text holds more than one (a ';' followed by more SQL). Nothing was sent.", sql);
        }
    }

    private static bool HasSecondStatement(string sql)
    {
        for (var i = 0; i < sql.Length; i++)
        {
            switch (sql[i])
            {
                case '\'' or '"':
                    var end = sql.IndexOf(sql[i], i + 1);
                    i = end < 0 ? sql.Length : end;
                    break;
                case '-' when i + 1 < sql.Length && sql[i + 1] == '-':
                    var line = sql.IndexOf('\n', i);
                    i = line < 0 ? sql.Length : line;
                    break;
                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                    var close = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = close < 0 ? sql.Length : close + 1;
                    break;
                case ';':
                    return !Trivia().IsMatch(sql[(i + 1)..]);
            }
        }

        return false;
    }

    /// <summary>White space, comments and opening parentheses, then the first word; after EXPLAIN [ANALYZE] [VERBOSE] [(options)] the word it explains.</summary>
    [GeneratedRegex(@"^(?:\s|\(|--[^\n]*(?:\n|$)|/\*.*?\*/)*(?<first>[A-Za-z]*)(?:(?:\s+(?:ANALYZE|VERBOSE)\b)*\s*(?:\([^)]*\))?\s*(?<explained>[A-Za-z]+))?", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex LeadingWords();

    [GeneratedRegex(@"^(?:\s|--[^\n]*(?:\n|$)|/\*.*?\*/)*$", RegexOptions.Singleline)]
    private static partial Regex Trivia();
}
