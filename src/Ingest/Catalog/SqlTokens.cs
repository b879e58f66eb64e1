namespace Ingest.Catalog;

/// <summary>The kinds of <see cref="SqlToken"/>.</summary>
internal enum SqlTokenKind
{
    /// <summary>An unquoted word: a keyword or an identifier.</summary>
    Word,

    /// <summary>A double-quoted identifier (<see cref="SqlToken.Value"/> holds it unquoted).</summary>
    QuotedIdentifier,

    /// <summary>A single-quoted string (<see cref="SqlToken.Value"/> holds it unquoted).</summary>
    String,

    /// <summary>A number.</summary>
    Number,

    /// <summary>Punctuation or an operator: <c>( ) , . = &lt; &lt;= &gt; &gt;= &lt;&gt; != ?</c> and others.</summary>
    Symbol,
}

/// <summary>A token of a SQL text: where it is (<paramref name="Start"/>, <paramref name="Length"/>) and its value.</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, string Value)
{
    public int End => Start + Length;

    public bool IsWord(string word) => Kind == SqlTokenKind.Word && string.Equals(Value, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == SqlTokenKind.Symbol && Value == symbol;

    public bool IsIdentifier => Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;
}

/// <summary>
/// Splits SQL (Trino/Athena and DuckDB dialects alike) into tokens, skipping white space and comments (<c>--</c> to the
/// end of the line, <c>/* … */</c>); quotes are doubled to escape them. Unterminated quotes and comments run to the end.
/// </summary>
internal static class SqlTokens
{
    public static List<SqlToken> Read(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1, '-'))
            {
                var line = sql.IndexOf('\n', i);
                i = line < 0 ? sql.Length : line + 1;
            }
            else if (c == '/' && At(sql, i + 1, '*'))
            {
                var close = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + 2;
            }
            else if (c is '\'' or '"')
            {
                var (end, value) = Quoted(sql, i, c);
                tokens.Add(new SqlToken(c == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier, i, end - i, value));
                i = end;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Word, start, i - start, sql[start..i]));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1])))
            {
                var start = i;
                while (i < sql.Length && (char.IsAsciiDigit(sql[i]) || sql[i] == '.' || ((sql[i] is 'e' or 'E') && i + 1 < sql.Length && (char.IsAsciiDigit(sql[i + 1]) || sql[i + 1] is '+' or '-'))))
                {
                    i += (sql[i] is 'e' or 'E') ? 2 : 1;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Number, start, i - start, sql[start..i]));
            }
            else
            {
                var two = i + 1 < sql.Length ? sql.Substring(i, 2) : null;
                var length = two is "<=" or ">=" or "<>" or "!=" or "||" ? 2 : 1;
                tokens.Add(new SqlToken(SqlTokenKind.Symbol, i, length, sql.Substring(i, length)));
                i += length;
            }
        }

        return tokens;
    }

    private static bool At(string sql, int index, char c) => index < sql.Length && sql[index] == c;

    private static (int End, string Value) Quoted(string sql, int start, char quote)
    {
        var value = new System.Text.StringBuilder();
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (At(sql, i + 1, quote))
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                return (i + 1, value.ToString());
            }

            value.Append(sql[i++]);
        }

        return (sql.Length, value.ToString());
    }
}
