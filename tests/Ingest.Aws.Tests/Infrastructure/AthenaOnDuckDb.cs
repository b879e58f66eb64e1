using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Ingest.Aws.Tests.Protocol;
using Ingest.Definitions;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>
/// Answers the loopback server's Athena calls by running the statements on an in-memory DuckDB database that holds the
/// tables loaded into it: StartQueryExecution runs the text as sent (a query, or DDL/DML as Athena would run it) with its
/// <c>ExecutionParameters</c> substituted for the <c>?</c> placeholders in order — each must be one SQL literal, as Athena
/// requires, and is bound as a value; GetQueryExecution reports SUCCEEDED, or FAILED as a user error with the database's
/// message; GetQueryResults pages the rows (two a page, the first page led by the header row) with Athena's type names and
/// text forms. It is not Athena's engine: it checks what the client sends and parses, over real SQL.
/// </summary>
public sealed class AthenaOnDuckDb : IDisposable
{
    private const int PageRows = 2;
    private readonly DuckDBConnection _duck = new("DataSource=:memory:");
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Execution> _executions = new(StringComparer.Ordinal);

    public AthenaOnDuckDb()
    {
        _duck.Open();
        Execute("SET TimeZone = 'UTC'", []);
    }

    public void Dispose() => _duck.Dispose();

    /// <summary>Creates the definition's table (<c>database.table</c>) and inserts the CSV's rows (no quoted fields).</summary>
    public void Load(DatasetDefinition definition, string csv)
    {
        var table = $"{definition.CatalogDatabase}.{definition.CatalogTable}";
        Execute($"CREATE SCHEMA IF NOT EXISTS {definition.CatalogDatabase}", []);
        Execute($"CREATE TABLE {table} ({string.Join(", ", definition.Columns.Select(c => $"{c.Name} {DuckType(c.Type)}"))})", []);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            var values = header.Select((name, i) => Value(definition.FindColumn(name)!.Type, i < fields.Length ? fields[i] : string.Empty)).ToArray();
            Execute($"INSERT INTO {table} ({string.Join(", ", header)}) VALUES ({string.Join(", ", header.Select(_ => "?"))})", values);
        }
    }

    /// <summary>Serves StartQueryExecution, GetQueryExecution, GetQueryResults and StopQueryExecution on <paramref name="server"/>.</summary>
    public void Serve(LoopbackAwsServer server) => server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
    {
        ["StartQueryExecution"] = r =>
        {
            var id = Guid.NewGuid().ToString();
            var sql = r.Json["QueryString"]!.GetValue<string>();
            var parameters = r.Json["ExecutionParameters"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
            _executions[id] = Run(sql, parameters);
            return CannedResponse.Ok(new JsonObject { ["QueryExecutionId"] = id });
        },
        ["GetQueryExecution"] = r =>
        {
            var id = r.Json["QueryExecutionId"]!.GetValue<string>();
            var execution = _executions[id];
            var status = new JsonObject { ["State"] = execution.Error is null ? "SUCCEEDED" : "FAILED", ["SubmissionDateTime"] = 1764100000.5 };
            if (execution.Error is { } error)
            {
                status["StateChangeReason"] = error;
                status["AthenaError"] = new JsonObject { ["ErrorCategory"] = 2, ["ErrorType"] = 1006, ["Retryable"] = false, ["ErrorMessage"] = error };
            }

            return CannedResponse.Ok(new JsonObject
            {
                ["QueryExecution"] = new JsonObject
                {
                    ["QueryExecutionId"] = id,
                    ["Query"] = execution.Sql,
                    ["StatementType"] = "DML",
                    ["Status"] = status,
                    ["Statistics"] = new JsonObject { ["EngineExecutionTimeInMillis"] = 5, ["DataScannedInBytes"] = 0 },
                    ["WorkGroup"] = "analytics",
                },
            });
        },
        ["GetQueryResults"] = r =>
        {
            var execution = _executions[r.Json["QueryExecutionId"]!.GetValue<string>()];
            var start = r.Json["NextToken"] is { } token ? int.Parse(token.GetValue<string>(), CultureInfo.InvariantCulture) : 0;
            var rows = new JsonArray();
            if (start == 0)
            {
                rows.Add(Row(execution.Columns.Select(c => (string?)c.Name)));
            }

            foreach (var row in execution.Rows.Skip(start).Take(PageRows))
            {
                rows.Add(Row(row));
            }

            var page = new JsonObject
            {
                ["ResultSet"] = new JsonObject
                {
                    ["Rows"] = rows,
                    ["ResultSetMetadata"] = new JsonObject
                    {
                        ["ColumnInfo"] = new JsonArray([.. execution.Columns.Select(c => (JsonNode)new JsonObject
                        {
                            ["Name"] = c.Name,
                            ["Label"] = c.Name,
                            ["Type"] = c.Type,
                            ["Precision"] = c.Precision,
                            ["Scale"] = c.Scale,
                            ["Nullable"] = "UNKNOWN",
                        })]),
                    },
                },
            };
            if (start + PageRows < execution.Rows.Count)
            {
                page["NextToken"] = (start + PageRows).ToString(CultureInfo.InvariantCulture);
            }

            return CannedResponse.Ok(page);
        },
        ["StopQueryExecution"] = _ => CannedResponse.Ok(),
    });

    private Execution Run(string sql, IReadOnlyList<string> parameters)
    {
        object?[] values;
        try
        {
            values = [.. parameters.Select(Literal)];
        }
        catch (FormatException ex)
        {
            return new Execution(sql, [], [], "INVALID_PARAMETER_USAGE: " + ex.Message);
        }

        lock (_gate)
        {
            try
            {
                var text = sql.TrimStart();
                if (!text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("WITH", StringComparison.OrdinalIgnoreCase))
                {
                    Execute(sql, values);
                    return new Execution(sql, [], [], null);
                }

                Execute("DROP TABLE IF EXISTS athena_result", []);
                Execute("CREATE TEMP TABLE athena_result AS " + sql, values);
                var columns = new List<ResultColumn>();
                using (var describe = _duck.CreateCommand())
                {
                    describe.CommandText = "SELECT column_name, column_type FROM (DESCRIBE athena_result)";
                    using var reader = describe.ExecuteReader();
                    while (reader.Read())
                    {
                        columns.Add(AthenaColumn(reader.GetString(0), reader.GetString(1)));
                    }
                }

                var rows = new List<string?[]>();
                using (var select = _duck.CreateCommand())
                {
                    select.CommandText = "SELECT * FROM athena_result";
                    using var reader = select.ExecuteReader();
                    while (reader.Read())
                    {
                        rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : Text(reader.GetValue(i), columns[i]))]);
                    }
                }

                return new Execution(sql, columns, rows, null);
            }
            catch (DuckDBException ex)
            {
                return new Execution(sql, [], [], ex.Message.Replace('\n', ' '));
            }
        }
    }

    /// <summary>One SQL literal as Athena accepts it for an execution parameter, as a value to bind.</summary>
    private static object? Literal(string text)
    {
        var inv = CultureInfo.InvariantCulture;
        if (text == "NULL")
        {
            return null;
        }

        if (text is "true" or "false")
        {
            return text == "true";
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var integer))
        {
            return integer;
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var (kind, quoted) = text.StartsWith('\'') ? (string.Empty, text) : space > 0 ? (text[..space], text[(space + 1)..]) : (text, string.Empty);
        var value = Unquote(quoted) ?? throw new FormatException($"execution parameter {text} is not a literal");
        return kind switch
        {
            "" => value,
            "DATE" => DateOnly.ParseExact(value, "yyyy-MM-dd", inv),
            "TIMESTAMP" => DateTime.Parse(value, inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            "DECIMAL" => decimal.Parse(value, NumberStyles.Number, inv),
            "DOUBLE" => double.Parse(value, inv),
            "REAL" => float.Parse(value, inv),
            _ => throw new FormatException($"execution parameter {text} is not a literal"),
        };
    }

    /// <summary>The text of one quoted SQL string (quotes doubled inside), or <see langword="null"/> when it is not exactly one.</summary>
    private static string? Unquote(string quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '\'' || quoted[^1] != '\'')
        {
            return null;
        }

        var inner = quoted[1..^1];
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\'' && (i + 1 >= inner.Length || inner[++i] != '\''))
            {
                return null;
            }
        }

        return inner.Replace("''", "'", StringComparison.Ordinal);
    }

    private static ResultColumn AthenaColumn(string name, string duckType)
    {
        if (duckType.StartsWith("DECIMAL(", StringComparison.Ordinal))
        {
            var ps = duckType[8..^1].Split(',');
            return new ResultColumn(name, "decimal", int.Parse(ps[0], CultureInfo.InvariantCulture), int.Parse(ps[1], CultureInfo.InvariantCulture));
        }

        return duckType switch
        {
            "BIGINT" or "HUGEINT" => new ResultColumn(name, "bigint", 19, 0),
            "INTEGER" => new ResultColumn(name, "integer", 10, 0),
            "SMALLINT" => new ResultColumn(name, "smallint", 5, 0),
            "BOOLEAN" => new ResultColumn(name, "boolean", 0, 0),
            "DOUBLE" => new ResultColumn(name, "double", 17, 0),
            "FLOAT" => new ResultColumn(name, "real", 17, 0),
            "DATE" => new ResultColumn(name, "date", 0, 0),
            "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE" => new ResultColumn(name, "timestamp", 3, 0),
            _ => new ResultColumn(name, "varchar", 2147483647, 0),
        };
    }

    /// <summary>A value in the text form Athena's result pages use.</summary>
    private static string Text(object value, ResultColumn column) => value switch
    {
        bool b => b ? "true" : "false",
        decimal d => d.ToString("F" + column.Scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t when column.Type == "date" => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static JsonObject Row(IEnumerable<string?> values)
        => new() { ["Data"] = new JsonArray([.. values.Select(v => (JsonNode)(v is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = v }))]) };

    private static string DuckType(ColumnType type) => type.Kind switch
    {
        ColumnKind.Int64 => "BIGINT",
        ColumnKind.Int32 => "INTEGER",
        ColumnKind.Boolean => "BOOLEAN",
        ColumnKind.Double => "DOUBLE",
        ColumnKind.Float => "FLOAT",
        ColumnKind.Decimal => $"DECIMAL({type.Precision},{type.Scale})",
        ColumnKind.Date => "DATE",
        ColumnKind.Timestamp => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static object? Value(ColumnType type, string text)
    {
        var inv = CultureInfo.InvariantCulture;
        return text.Length == 0 ? null : type.Kind switch
        {
            ColumnKind.Int64 => long.Parse(text, inv),
            ColumnKind.Int32 => int.Parse(text, inv),
            ColumnKind.Boolean => bool.Parse(text),
            ColumnKind.Double => double.Parse(text, inv),
            ColumnKind.Float => float.Parse(text, inv),
            ColumnKind.Decimal => decimal.Parse(text, inv),
            ColumnKind.Date => DateOnly.ParseExact(text, "yyyy-MM-dd", inv),
            ColumnKind.Timestamp => DateTime.Parse(text, inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _ => text,
        };
    }

    private void Execute(string sql, object?[] values)
    {
        using var command = _duck.CreateCommand();
        command.CommandText = sql;
        foreach (var value in values)
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }

        command.ExecuteNonQuery();
    }

    private sealed record ResultColumn(string Name, string Type, int Precision, int Scale);

    private sealed record Execution(string Sql, IReadOnlyList<ResultColumn> Columns, IReadOnlyList<string?[]> Rows, string? Error);
}
