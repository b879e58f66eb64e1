namespace Ingest.Catalog;

/// <summary>A table reference in a SELECT block (<paramref name="Block"/> numbers the SELECTs of the text).</summary>
internal sealed record SqlTableInBlock(QueryTableReference Reference, int Block);

/// <summary>The kind of a literal in a simple predicate.</summary>
internal enum SqlLiteralKind
{
    Number,
    String,
    Date,
    Timestamp,
    Boolean,
    Parameter,
}

/// <summary>A literal of a simple predicate (a parameter refers to the query's values by position).</summary>
internal sealed record SqlLiteral(SqlLiteralKind Kind, string Text, int Parameter = -1);

/// <summary>
/// A conjunct of a block's WHERE clause of the form <c>[qualifier.]column op literal</c> (op one of = &lt; &lt;= &gt; &gt;=);
/// <c>BETWEEN a AND b</c> is two of them.
/// </summary>
internal sealed record SqlPredicate(int Block, IReadOnlyList<string> Qualifier, string Column, string Operator, SqlLiteral Literal);

/// <summary>
/// What <see cref="QueryTables"/> and <see cref="ScanEstimates"/> read from a query's text: the table references of each
/// SELECT block, how many relations each block's FROM has, and the simple predicates of each block's WHERE clause. A WHERE
/// clause with an OR or NOT at its top level gives no predicates (only conjuncts are safe to prune by).
/// </summary>
internal sealed class SqlQueryShape
{
    private static readonly HashSet<string> ClauseEnds = new(StringComparer.OrdinalIgnoreCase)
    {
        "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "WINDOW", "OFFSET", "FETCH", "QUALIFY",
    };

    /// <summary>Words that can follow a table name and are not its alias.</summary>
    private static readonly HashSet<string> NotAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "WINDOW", "OFFSET", "FETCH", "QUALIFY",
        "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER", "ON", "USING", "FOR", "TABLESAMPLE", "AS", "MATCH_RECOGNIZE",
    };

    private static readonly HashSet<string> Comparisons = ["=", "<", "<=", ">", ">="];

    public List<SqlTableInBlock> Tables { get; } = [];

    public List<SqlPredicate> Predicates { get; } = [];

    /// <summary>Gets the number of relations (tables, subqueries, table functions) in each block's FROM.</summary>
    public Dictionary<int, int> Relations { get; } = [];

    public static SqlQueryShape Read(string sql)
    {
        var shape = new SqlQueryShape();
        var tokens = SqlTokens.Read(sql);
        shape.Walk(tokens);
        return shape;
    }

    private sealed class Scope
    {
        public int Block = -1;
        public bool InFrom;
        public bool Expect;
        public int WhereStart = -1;
        public int WhereBlock = -1;
    }

    private void Walk(List<SqlToken> tokens)
    {
        var ctes = CteNames(tokens);
        var blocks = 0;
        var scopes = new Stack<Scope>();
        scopes.Push(new Scope());
        for (var k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            var scope = scopes.Peek();
            if (t.IsSymbol("("))
            {
                var inner = new Scope();
                if (scope.Expect)
                {
                    // A subquery or a parenthesised join is one relation of this FROM.
                    Relation(scope);
                    scope.Expect = false;
                    inner.InFrom = inner.Expect = true;
                    inner.Block = scope.Block;
                }

                scopes.Push(inner);
            }
            else if (t.IsSymbol(")"))
            {
                EndWhere(tokens, scope, k);
                if (scopes.Count > 1)
                {
                    scopes.Pop();
                }
            }
            else if (t.IsWord("SELECT"))
            {
                EndWhere(tokens, scope, k);
                scope.Block = blocks++;
                scope.InFrom = scope.Expect = false;
            }
            else if (t.IsWord("FROM") && scope.Block >= 0)
            {
                scope.InFrom = scope.Expect = true;
            }
            else if (t.IsWord("JOIN") && scope.InFrom)
            {
                scope.Expect = true;
            }
            else if (t.IsSymbol(",") && scope.InFrom)
            {
                scope.Expect = true;
            }
            else if (t.Kind == SqlTokenKind.Word && ClauseEnds.Contains(t.Value))
            {
                EndWhere(tokens, scope, k);
                scope.InFrom = scope.Expect = false;
                if (t.IsWord("WHERE") && scope.Block >= 0)
                {
                    scope.WhereStart = k + 1;
                    scope.WhereBlock = scope.Block;
                }
            }
            else if (t.IsWord("ON") || t.IsWord("USING"))
            {
                scope.Expect = false;
            }
            else if (scope.Expect && t.IsIdentifier)
            {
                if (t.Kind == SqlTokenKind.Word && (t.IsWord("LATERAL") || t.IsWord("UNNEST") || t.IsWord("TABLE")))
                {
                    // UNNEST(…), TABLE(…), LATERAL (…): the parenthesis that follows is the relation.
                    continue;
                }

                k = TableName(tokens, k, scope, ctes);
            }
        }

        while (scopes.Count > 0)
        {
            EndWhere(tokens, scopes.Pop(), tokens.Count);
        }
    }

    private void Relation(Scope scope)
        => Relations[scope.Block] = Relations.GetValueOrDefault(scope.Block) + 1;

    /// <summary>Reads <c>a[.b[.c]] [[AS] alias]</c> from <paramref name="k"/>; returns the index of its last token.</summary>
    private int TableName(List<SqlToken> tokens, int k, Scope scope, HashSet<string> ctes)
    {
        var parts = new List<SqlToken> { tokens[k] };
        var last = k;
        while (last + 2 < tokens.Count && tokens[last + 1].IsSymbol(".") && tokens[last + 2].IsIdentifier)
        {
            last += 2;
            parts.Add(tokens[last]);
        }

        scope.Expect = false;
        Relation(scope);
        if (last + 1 < tokens.Count && tokens[last + 1].IsSymbol("("))
        {
            return last; // a table function
        }

        string? alias = null;
        var end = last;
        if (end + 1 < tokens.Count && tokens[end + 1].IsWord("AS") && end + 2 < tokens.Count && tokens[end + 2].IsIdentifier)
        {
            alias = tokens[end + 2].Value;
            end += 2;
        }
        else if (end + 1 < tokens.Count && tokens[end + 1].IsIdentifier && !(tokens[end + 1].Kind == SqlTokenKind.Word && NotAliases.Contains(tokens[end + 1].Value)))
        {
            alias = tokens[end + 1].Value;
            end += 1;
        }

        if (parts.Count == 1 && parts[0].Kind == SqlTokenKind.Word && ctes.Contains(parts[0].Value))
        {
            return end; // a WITH query
        }

        if (parts.Count <= 3)
        {
            var names = parts.Select(p => p.Value).ToList();
            var reference = new QueryTableReference(
                names.Count == 3 ? names[0] : null,
                names.Count >= 2 ? names[^2] : null,
                names[^1],
                alias,
                parts[0].Start,
                parts[^1].End - parts[0].Start);
            Tables.Add(new SqlTableInBlock(reference, scope.Block));
        }

        return end;
    }

    /// <summary>The names the text's WITH clauses define (<c>WITH name [(columns)] AS (</c> and <c>, name AS (</c>).</summary>
    private static HashSet<string> CteNames(List<SqlToken> tokens)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var k = 0; k + 2 < tokens.Count; k++)
        {
            if ((tokens[k].IsWord("WITH") || tokens[k].IsWord("RECURSIVE") || tokens[k].IsSymbol(",")) && tokens[k + 1].IsIdentifier)
            {
                var next = k + 2;
                if (tokens[next].IsSymbol("("))
                {
                    while (next < tokens.Count && !tokens[next].IsSymbol(")"))
                    {
                        next++;
                    }

                    next++;
                }

                if (next + 1 < tokens.Count && tokens[next].IsWord("AS") && tokens[next + 1].IsSymbol("("))
                {
                    names.Add(tokens[k + 1].Value);
                }
            }
        }

        return names;
    }

    private void EndWhere(List<SqlToken> tokens, Scope scope, int end)
    {
        if (scope.WhereStart < 0)
        {
            return;
        }

        Conjuncts(tokens, scope.WhereStart, end, scope.WhereBlock);
        scope.WhereStart = -1;
    }

    /// <summary>Splits a WHERE clause at its top-level ANDs and keeps the conjuncts that are simple comparisons.</summary>
    private void Conjuncts(List<SqlToken> tokens, int start, int end, int block)
    {
        var conjuncts = new List<(int Start, int End)>();
        var depth = 0;
        var from = start;
        var between = false;
        for (var k = start; k < end; k++)
        {
            var t = tokens[k];
            if (t.IsSymbol("("))
            {
                depth++;
            }
            else if (t.IsSymbol(")"))
            {
                depth--;
            }
            else if (depth == 0 && (t.IsWord("OR") || t.IsWord("NOT") || t.IsWord("CASE")))
            {
                return; // not a plain conjunction (an AND inside CASE is not one of its conjuncts): nothing is safe to prune by
            }
            else if (depth == 0 && t.IsWord("BETWEEN"))
            {
                between = true;
            }
            else if (depth == 0 && t.IsWord("AND"))
            {
                if (between)
                {
                    between = false;
                    continue;
                }

                conjuncts.Add((from, k));
                from = k + 1;
            }
        }

        conjuncts.Add((from, end));
        foreach (var (s, e) in conjuncts)
        {
            Simple(tokens, s, e, block);
        }
    }

    private void Simple(List<SqlToken> tokens, int start, int end, int block)
    {
        var k = start;
        if (Column(tokens, ref k, end) is { } column)
        {
            if (k < end && tokens[k].Kind == SqlTokenKind.Symbol && Comparisons.Contains(tokens[k].Value))
            {
                var op = tokens[k].Value;
                k++;
                if (Literal(tokens, ref k, end) is { } literal && k == end)
                {
                    Predicates.Add(new SqlPredicate(block, column.Qualifier, column.Name, op, literal));
                }
            }
            else if (k < end && tokens[k].IsWord("BETWEEN"))
            {
                k++;
                var low = Literal(tokens, ref k, end);
                if (low is not null && k < end && tokens[k].IsWord("AND"))
                {
                    k++;
                    var high = Literal(tokens, ref k, end);
                    if (high is not null && k == end)
                    {
                        Predicates.Add(new SqlPredicate(block, column.Qualifier, column.Name, ">=", low));
                        Predicates.Add(new SqlPredicate(block, column.Qualifier, column.Name, "<=", high));
                    }
                }
            }

            return;
        }

        k = start;
        if (Literal(tokens, ref k, end) is { } first && k < end && tokens[k].Kind == SqlTokenKind.Symbol && Comparisons.Contains(tokens[k].Value))
        {
            var op = tokens[k].Value switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", var same => same };
            k++;
            if (Column(tokens, ref k, end) is { } right && k == end)
            {
                Predicates.Add(new SqlPredicate(block, right.Qualifier, right.Name, op, first));
            }
        }
    }

    private static (IReadOnlyList<string> Qualifier, string Name)? Column(List<SqlToken> tokens, ref int k, int end)
    {
        if (k >= end || !tokens[k].IsIdentifier || IsLiteralWord(tokens[k]))
        {
            return null;
        }

        var parts = new List<string> { tokens[k].Value };
        k++;
        while (k + 1 < end && tokens[k].IsSymbol(".") && tokens[k + 1].IsIdentifier)
        {
            parts.Add(tokens[k + 1].Value);
            k += 2;
        }

        return k < end && tokens[k].IsSymbol("(") ? null : (parts[..^1], parts[^1]);
    }

    private static bool IsLiteralWord(SqlToken token)
        => token.Kind == SqlTokenKind.Word && (token.IsWord("DATE") || token.IsWord("TIMESTAMP") || token.IsWord("TRUE") || token.IsWord("FALSE")
            || token.IsWord("NOT") || token.IsWord("NULL") || token.IsWord("CAST"));

    private static SqlLiteral? Literal(List<SqlToken> tokens, ref int k, int end)
    {
        if (k >= end)
        {
            return null;
        }

        var t = tokens[k];
        switch (t.Kind)
        {
            case SqlTokenKind.Number:
                k++;
                return new SqlLiteral(SqlLiteralKind.Number, t.Value);
            case SqlTokenKind.String:
                k++;
                return new SqlLiteral(SqlLiteralKind.String, t.Value);
            case SqlTokenKind.Symbol when t.Value == "-" && k + 1 < end && tokens[k + 1].Kind == SqlTokenKind.Number && tokens[k + 1].Start == t.End:
                k += 2;
                return new SqlLiteral(SqlLiteralKind.Number, "-" + tokens[k - 1].Value);
            case SqlTokenKind.Symbol when t.Value == "?":
                k++;
                return new SqlLiteral(SqlLiteralKind.Parameter, "?", tokens.Take(k).Count(x => x.IsSymbol("?")) - 1);
            case SqlTokenKind.Symbol when t.Value == "$" && k + 1 < end && tokens[k + 1].Kind == SqlTokenKind.Number && tokens[k + 1].Start == t.End
                && int.TryParse(tokens[k + 1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position):
                k += 2;
                return new SqlLiteral(SqlLiteralKind.Parameter, "$" + tokens[k - 1].Value, position - 1);
            case SqlTokenKind.Word when (t.IsWord("DATE") || t.IsWord("TIMESTAMP")) && k + 1 < end && tokens[k + 1].Kind == SqlTokenKind.String:
                k += 2;
                return new SqlLiteral(t.IsWord("DATE") ? SqlLiteralKind.Date : SqlLiteralKind.Timestamp, tokens[k - 1].Value);
            case SqlTokenKind.Word when t.IsWord("TRUE") || t.IsWord("FALSE"):
                k++;
                return new SqlLiteral(SqlLiteralKind.Boolean, t.Value.ToLowerInvariant());
            default:
                return null;
        }
    }
}
