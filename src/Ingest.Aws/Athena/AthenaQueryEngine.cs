using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Ingest.Catalog;

namespace Ingest.Aws.Athena;

/// <summary>
/// Athena as <see cref="IQueryEngine"/>: the query starts in the configured workgroup and result location with its values as
/// execution parameters (never in the SQL text), is polled with backoff until it ends, and its pages stream as rows. Cancelling
/// the token stops the query in Athena.
/// </summary>
internal sealed class AthenaQueryEngine : IQueryEngine
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(2);

    private readonly IAthenaClient _athena;
    private readonly string _workgroup;
    private readonly string? _outputLocation;
    private readonly TimeProvider _timeProvider;
    private readonly AthenaTables? _tables;

    public AthenaQueryEngine(IAthenaClient athena, string workgroup, string? outputLocation, TimeProvider? timeProvider = null, AthenaTables? tables = null)
    {
        _athena = athena;
        _workgroup = workgroup;
        _outputLocation = outputLocation;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _tables = tables;
    }

    /// <summary>
    /// Runs a query; with <see cref="QueryOptions.AsOf"/> the references to Iceberg datasets' tables get Athena's
    /// <c>FOR VERSION AS OF</c> or <c>FOR TIMESTAMP AS OF</c> (<see cref="AthenaTimeTravel"/>), which needs the registry and the
    /// Iceberg catalog (an engine made without them throws <see cref="NotSupportedException"/>).
    /// </summary>
    public async Task<QueryResult> QueryAsync(string sql, QueryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(options);
        if (options.AsOf is not { } version)
        {
            return await QueryAsync(sql, options.Parameters, cancellationToken).ConfigureAwait(false);
        }

        if (_tables is null)
        {
            throw new NotSupportedException("This Athena query engine was created without the registry and the Iceberg catalog (AwsAnalytics.CreateQueryEngine with them, or WithGlueAndAthena), so it cannot tell which tables are Iceberg tables to read as of an earlier snapshot.");
        }

        AthenaReadOnly.EnsureQuery(sql);
        var rewritten = await AthenaTimeTravel.RewriteAsync(sql, version, _tables, cancellationToken).ConfigureAwait(false);
        return await QueryAsync(rewritten, options.Parameters, cancellationToken).ConfigureAwait(false);
    }

    public async Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        AthenaReadOnly.EnsureQuery(sql);
        var (text, values) = Bind(sql, parameters ?? []);
        var request = new AthenaQueryRequest(text)
        {
            WorkGroup = _workgroup,
            OutputLocation = _outputLocation,
            ExecutionParameters = values,
            ClientRequestToken = Guid.NewGuid().ToString("N"),
        };

        string id;
        try
        {
            id = await _athena.StartQueryExecutionAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "InvalidRequestException")
        {
            throw new QueryException($"Athena refused the query: {ex.Message}", sql, ex);
        }

        var operation = new AthenaQueryOperation(_athena, id, _timeProvider);
        var execution = await WaitAsync(operation, sql, cancellationToken).ConfigureAwait(false);
        var first = await _athena.GetQueryResultsAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new AthenaQueryResult(_athena, execution, first);
    }

    private async Task<AthenaQueryExecution> WaitAsync(AthenaQueryOperation operation, string sql, CancellationToken cancellationToken)
    {
        var delay = FirstPoll;
        try
        {
            while (true)
            {
                var status = await operation.UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
                if (operation.HasCompleted)
                {
                    return status.State switch
                    {
                        "SUCCEEDED" => status,
                        "FAILED" when status.ErrorCategory == 2 => throw new QueryException($"The Athena query {status.QueryExecutionId} failed: {status.StateChangeReason}", sql),
                        _ => throw new IngestException($"The Athena query {status.QueryExecutionId} ended {status.State}: {status.StateChangeReason}")
                        {
                            IsTransient = status.ErrorCategory == 1,
                            Location = status.QueryExecutionId,
                        },
                    };
                }

                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, delay.Ticks * 2));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: stop the query so that it scans (and bills) no more.
            await operation.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Turns <c>$n</c> placeholders into <c>?</c> (Athena knows only <c>?</c>) and the values into SQL literals, in the order
    /// the placeholders appear; text inside quotes is left alone.
    /// </summary>
    internal static (string Sql, List<string> Values) Bind(string sql, IReadOnlyList<object?> parameters)
    {
        var text = new StringBuilder(sql.Length);
        var values = new List<string>();
        var next = 0;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                var end = sql.IndexOf(c, i + 1);
                end = end < 0 ? sql.Length - 1 : end;
                text.Append(sql, i, end - i + 1);
                i = end;
            }
            else if (c == '?')
            {
                values.Add(Literal(Parameter(parameters, next++, sql), sql));
                text.Append('?');
            }
            else if (c == '$' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]))
            {
                var start = i + 1;
                while (i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]))
                {
                    i++;
                }

                var position = int.Parse(sql.AsSpan(start, i - start + 1), CultureInfo.InvariantCulture);
                values.Add(Literal(Parameter(parameters, position - 1, sql), sql));
                text.Append('?');
            }
            else
            {
                text.Append(c);
            }
        }

        return (text.ToString(), values);
    }

    private static object? Parameter(IReadOnlyList<object?> parameters, int index, string sql)
        => index >= 0 && index < parameters.Count
            ? parameters[index]
            : throw new QueryException(string.Create(CultureInfo.InvariantCulture, $"The query has a placeholder for parameter {index + 1} but {parameters.Count} parameter(s) were given."), sql);

    /// <summary>A value as the SQL literal Athena substitutes for its placeholder.</summary>
    internal static string Literal(object? value, string sql) => value switch
    {
        null => "NULL",
        string s => Quote(s),
        char c => Quote(c.ToString()),
        bool b => b ? "true" : "false",
        byte or sbyte or short or ushort or int or uint or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        decimal d => "DECIMAL " + Quote(d.ToString(CultureInfo.InvariantCulture)),
        double d => "DOUBLE " + Quote(d.ToString("R", CultureInfo.InvariantCulture)),
        float f => "REAL " + Quote(f.ToString("R", CultureInfo.InvariantCulture)),
        DateOnly d => "DATE " + Quote(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        DateTime t => "TIMESTAMP " + Quote(t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
        DateTimeOffset t => "TIMESTAMP " + Quote(t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
        Guid g => Quote(g.ToString()),
        _ => throw new QueryException($"A parameter of type {value.GetType().Name} cannot be passed to Athena (use a string, number, boolean, DateOnly, DateTime or DateTimeOffset).", sql),
    };

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>
/// The result of an Athena query: rows stream page by page (1,000 rows a request); values are typed from Athena's column
/// types (<c>bigint</c> → <see cref="long"/>, <c>decimal</c> → <see cref="decimal"/>, <c>date</c> → <see cref="DateOnly"/>,
/// <c>timestamp</c> → <see cref="DateTime"/>, …).
/// </summary>
public sealed class AthenaQueryResult : QueryResult
{
    /// <summary>What Athena bills per byte scanned at the list price of most regions: USD 5 per TB.</summary>
    public const decimal UsdPerByte = 5m / 1_000_000_000_000m;

    /// <summary>The least Athena bills a query for: 10 MB.</summary>
    public const long MinimumBilledBytes = 10_000_000;

    private readonly IAthenaClient _athena;
    private readonly AthenaResultPage _first;
    private readonly IReadOnlyList<string> _columns;

    internal AthenaQueryResult(IAthenaClient athena, AthenaQueryExecution execution, AthenaResultPage first)
    {
        _athena = athena;
        Execution = execution;
        _first = first;
        _columns = [.. first.Columns.Select(c => c.Name)];
        Schema = [.. first.Columns.Select(c => new QueryColumn(c.Name, DataTypeOf(c), ClrTypeOf(c.Type)))];
    }

    /// <summary>Gets the final state of the query: its id, time and output location.</summary>
    internal AthenaQueryExecution Execution { get; }

    /// <summary>Gets Athena's id of the query execution (the console and <c>aws athena get-query-execution</c> find it by this id).</summary>
    public string QueryExecutionId => Execution.QueryExecutionId;

    /// <summary>Gets where Athena wrote the result file, when it reports it.</summary>
    public string? OutputLocation => Execution.OutputLocation;

    /// <summary>Gets the time the engine spent on the query, when Athena reports it.</summary>
    public TimeSpan? EngineExecutionTime => Execution.EngineExecutionTimeInMillis is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => _columns;

    /// <inheritdoc />
    public override IReadOnlyList<QueryColumn> Schema { get; }

    /// <inheritdoc />
    public override long? BytesScanned => Execution.DataScannedInBytes;

    /// <summary>Gets the estimated cost in USD at the list price (USD 5 per TB scanned, at least 10 MB per query); DDL is free.</summary>
    /// <remarks>Regional prices, discounts and capacity reservations differ: this is an indication, not the bill.</remarks>
    public decimal? EstimatedCostUsd => BytesScanned is { } bytes ? (bytes == 0 ? 0 : Math.Max(bytes, MinimumBilledBytes) * UsdPerByte) : null;

    /// <inheritdoc />
    public override IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync(CancellationToken cancellationToken = default)
        => ReadAsync(cancellationToken);

    private async IAsyncEnumerable<IReadOnlyList<object?>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = _first;
        var types = _first.Columns;
        var skipHeader = IsHeader(_first);
        while (true)
        {
            foreach (var row in skipHeader ? page.Rows.Skip(1) : page.Rows)
            {
                var values = new object?[types.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = i < row.Count ? Convert(row[i], types[i]) : null;
                }

                yield return values;
            }

            skipHeader = false;
            if (page.NextToken is null)
            {
                yield break;
            }

            page = await _athena.GetQueryResultsAsync(Execution.QueryExecutionId, page.NextToken, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The first row of a SELECT's first page repeats the column names.</summary>
    private static bool IsHeader(AthenaResultPage page)
        => page.Rows.Count > 0 && page.Columns.Count > 0 && page.Rows[0].SequenceEqual(page.Columns.Select(c => (string?)c.Name));

    private static string DataTypeOf(AthenaColumn column)
        => column.Type.Equals("decimal", StringComparison.OrdinalIgnoreCase) && column.Precision > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{column.Type}({column.Precision},{column.Scale})")
            : column.Type;

    /// <summary>The CLR type <see cref="Convert"/> gives for an Athena type (text for the types it keeps as text).</summary>
    internal static Type ClrTypeOf(string type) => type.ToLowerInvariant() switch
    {
        "boolean" => typeof(bool),
        "tinyint" => typeof(sbyte),
        "smallint" => typeof(short),
        "integer" or "int" => typeof(int),
        "bigint" => typeof(long),
        "double" => typeof(double),
        "float" or "real" => typeof(float),
        "decimal" => typeof(decimal),
        "date" => typeof(DateOnly),
        "timestamp" => typeof(DateTime),
        _ => typeof(string),
    };

    internal static object? Convert(string? text, AthenaColumn column)
    {
        if (text is null)
        {
            return null;
        }

        var invariant = CultureInfo.InvariantCulture;
        return column.Type.ToLowerInvariant() switch
        {
            "boolean" => bool.Parse(text),
            "tinyint" => sbyte.Parse(text, invariant),
            "smallint" => short.Parse(text, invariant),
            "integer" or "int" => int.Parse(text, invariant),
            "bigint" => long.Parse(text, invariant),
            "double" => double.Parse(text, invariant),
            "float" or "real" => float.Parse(text, invariant),
            "decimal" => decimal.Parse(text, NumberStyles.Number, invariant),
            "date" => DateOnly.ParseExact(text, "yyyy-MM-dd", invariant),
            "timestamp" => DateTime.SpecifyKind(DateTime.Parse(text, invariant, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
            _ => text,
        };
    }
}
