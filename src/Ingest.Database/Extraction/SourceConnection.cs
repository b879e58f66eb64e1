using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Ingest.Database.Connections;
using Ingest.Database.Mapping;
using Ingest.Definitions;
using Npgsql;

namespace Ingest.Database.Extraction;

/// <summary>The window of one extraction: cursor values above <see cref="Lower"/> (exclusive) up to <see cref="Upper"/> (inclusive).</summary>
internal sealed record ExtractWindow(object? Lower, object? Upper, bool IsEmpty)
{
    public static ExtractWindow All { get; } = new(null, null, false);

    public static ExtractWindow Empty { get; } = new(null, null, true);
}

/// <summary>A range of the partition column: <c>From &lt;= k &lt; To</c>; an open end has no bound, and the first range also takes nulls.</summary>
internal sealed record KeyRange(long? From, long? To)
{
    public static KeyRange All { get; } = new(null, null);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{From?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}, {To?.ToString(CultureInfo.InvariantCulture) ?? "+inf"})");
}

/// <summary>The SQL of one extraction against one database, and the errors that name the dataset, the connection (without secrets) and the column.</summary>
internal sealed class SourceConnection(ExtractPlan plan, SqlDialect dialect, DbProviderFactory factory, string connectionString)
{
    private readonly string _source = dialect.Source(plan.Database);
    private readonly string _describe = ConnectionResolution.Describe(factory, plan.Database.Connection, plan.Database.Provider, connectionString);

    public ExtractPlan Plan => plan;

    public SqlDialect Dialect => dialect;

    /// <summary>Gets the <c>FROM</c> target (the quoted table, or the query as a derived table).</summary>
    public string From => _source;

    /// <summary>Gets PostgreSQL's name of each field's type (<c>int8</c>, <c>numeric</c>, <c>timestamptz</c>, …) once <see cref="ProbeAsync"/> ran against Npgsql, else <see langword="null"/>.</summary>
    public IReadOnlyList<string>? PostgresTypes { get; private set; }

    public string What => plan.Database.Table is { } table ? $"table {table}" : "the query";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = factory.CreateConnection() ?? throw Fail("the provider cannot create connections", null);
        try
        {
            connection.ConnectionString = connectionString;
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is DbException or ArgumentException or InvalidOperationException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            var transient = ex is DbException { IsTransient: true } || ex is TimeoutException || ex.InnerException is SocketException or TimeoutException;
            throw Fail($"cannot connect: {Message(ex)}", ex, transient: transient);
        }
    }

    /// <summary>Runs the select with no rows: the table and every column must exist, and each column's type must map to its schema type.</summary>
    public async Task ProbeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var types = new Type[plan.Fields.Count];
        var names = new string[plan.Fields.Count];
        try
        {
            var command = Command(connection, $"SELECT {plan.SelectList(dialect)} FROM {_source} WHERE 1 = 0");
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    for (var i = 0; i < types.Length; i++)
                    {
                        types[i] = reader.GetFieldType(i);
                        names[i] = reader.GetDataTypeName(i);
                    }

                    if (reader is NpgsqlDataReader npgsql)
                    {
                        PostgresTypes = [.. Enumerable.Range(0, types.Length).Select(i => npgsql.GetPostgresType(i).InternalName)];
                    }
                }
            }
        }
        catch (DbException ex)
        {
            throw await ExplainProbeFailureAsync(connection, ex, cancellationToken).ConfigureAwait(false);
        }

        // SQLite columns have no fixed type (a declared type is only an affinity): there each value is checked instead.
        if (plan.Database.Provider == DatabaseProvider.Sqlite)
        {
            return;
        }

        for (var i = 0; i < types.Length; i++)
        {
            var (name, type, schemaColumn) = plan.Fields[i];
            if (!ValueMapper.Accepts(types[i], type, plan.Database.Provider))
            {
                throw Fail($"column '{name}' is {names[i]} in the source, which cannot hold values of the schema column '{schemaColumn}' ({type}); change the column's type in the definition or cast it in a query.", null, schemaColumn);
            }
        }
    }

    /// <summary>Fixes the window: above the watermark, up to the largest cursor value now minus the lag. Rows changed from here on wait for the next run.</summary>
    public async Task<ExtractWindow> WindowAsync(DbConnection connection, string? watermark, CancellationToken cancellationToken)
    {
        if (plan.Database.Cursor is not { } cursor)
        {
            return ExtractWindow.All;
        }

        var column = plan.Fields[plan.Cursor].Name;
        var max = await ScalarAsync(connection, $"SELECT MAX({dialect.Quote(column)}) FROM {_source}", cancellationToken).ConfigureAwait(false);
        if (max is null)
        {
            return ExtractWindow.Empty;
        }

        object? lower = null;
        if (watermark is not null && !CursorValues.TryParse(watermark, max.GetType(), out lower))
        {
            throw Fail($"the watermark '{watermark}' of cursor column '{column}' cannot be read as {max.GetType().Name}, the column's type now; did the column's type change?", null, cursor.Column);
        }

        if (lower is not null && CursorValues.Compare(max, lower) < 0)
        {
            throw new DataValidationException(
                $"Dataset {plan.Definition.Id}, {_describe}: cursor column '{column}' of {What} is not monotonic: its largest value is now {CursorValues.Format(max)}, below the watermark {watermark} committed by an earlier run (rows were deleted or the cursor was set back). Nothing was extracted or published.")
            {
                Dataset = plan.Definition.Id,
                Location = plan.Database.Connection,
                Column = cursor.Column,
            };
        }

        var upper = CursorValues.Lower(max, cursor.Lag)
            ?? throw Fail(max is string text
                ? $"cursor.lag needs a numeric, date or timestamp cursor; '{column}' holds text, and its largest value \"{text}\" is not a date (yyyy-MM-dd) or timestamp (yyyy-MM-dd HH:mm:ss[.fff]) to lower by the lag."
                : $"cursor.lag needs a numeric, date or timestamp cursor; '{column}' holds {max.GetType().Name} values.", null, cursor.Column);
        return lower is not null && CursorValues.Compare(upper, lower) <= 0 ? ExtractWindow.Empty : new ExtractWindow(lower, upper, false);
    }

    /// <summary>Splits the window into <c>parallelism</c> ranges of the partition column, from its smallest and largest values in the window.</summary>
    public async Task<IReadOnlyList<KeyRange>> RangesAsync(DbConnection connection, ExtractWindow window, CancellationToken cancellationToken)
    {
        var parallelism = plan.Database.Parallelism;
        if (plan.Partition < 0 || parallelism < 2)
        {
            return [KeyRange.All];
        }

        var key = dialect.Quote(plan.Fields[plan.Partition].Name);
        var command = Command(connection, $"SELECT MIN({key}), MAX({key}) FROM {_source}{Where(window, KeyRange.All, command: null, out _)}");
        await using (command.ConfigureAwait(false))
        {
            _ = Where(window, KeyRange.All, command, out _);
            var reader = await Run(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
                {
                    return [KeyRange.All];
                }

                var min = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                var max = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
                var step = (long)Math.Ceiling(((decimal)max - min + 1) / parallelism);
                var bounds = Enumerable.Range(1, parallelism - 1).Select(i => min + (i * step)).Where(b => b <= max).ToList();
                var ranges = new List<KeyRange>();
                long? from = null;
                foreach (var bound in bounds)
                {
                    ranges.Add(new KeyRange(from, bound));
                    from = bound;
                }

                ranges.Add(new KeyRange(from, null));
                return ranges;
            }
        }
    }

    /// <summary>Gets the SQL text of one range's select, as recorded with the extract.</summary>
    public string SelectSql(ExtractWindow window, KeyRange range, out IReadOnlyList<(string Name, object Value)> parameters)
        => $"SELECT {plan.SelectList(dialect)} FROM {_source}{Where(window, range, null, out parameters)}";

    /// <summary>Streams the rows of one range in batches of <paramref name="batchRows"/>, each value converted to its schema type.</summary>
    public async IAsyncEnumerable<ExtractBatch> ReadAsync(DbConnection connection, ExtractWindow window, KeyRange range, int batchRows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = Command(connection, SelectSql(window, range, out _));
        await using (command.ConfigureAwait(false))
        {
            _ = Where(window, range, command, out _);
            var reader = await Run(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var width = plan.Fields.Count;
                var types = plan.Fields.Select(f => f.Type).ToArray();
                var batch = new ExtractBatch(types, batchRows);
                long row = 0;
                while (await Run(() => reader.ReadAsync(cancellationToken)).ConfigureAwait(false))
                {
                    row++;
                    for (var i = 0; i < width; i++)
                    {
                        batch.SetBoxed(i, batch.Count, ConvertValue(reader, i, row));
                    }

                    if (++batch.Count == batchRows)
                    {
                        yield return batch;
                        batch = new ExtractBatch(types, batchRows);
                    }
                }

                if (batch.Count > 0)
                {
                    yield return batch;
                }
            }
        }
    }

    private object? ConvertValue(DbDataReader reader, int ordinal, long row)
    {
        var (name, type, schemaColumn) = plan.Fields[ordinal];
        object native;
        try
        {
            if (reader.IsDBNull(ordinal))
            {
                return null;
            }

            native = reader.GetValue(ordinal);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or ArgumentException)
        {
            throw BadValue(k => reader.IsDBNull(k) ? null : reader.GetValue(k), row, ordinal, CannotRead(ex), ex);
        }

        var error = ValueMapper.TryConvert(native, type, plan.Zone, out var value);
        return error is null ? value : throw BadValue(k => reader.IsDBNull(k) ? null : reader.GetValue(k), row, ordinal, $"{ValueMapper.Show(native)} {error}", null);
    }

    /// <summary>Gets what a value that the provider cannot read as a .NET value is said to be.</summary>
    public static string CannotRead(Exception ex) => $"a value cannot be read as a .NET value ({ex.Message})";

    /// <summary>
    /// Gets the error of a value that does not fit its schema column: the dataset, the connection, the source, the column and the row's
    /// keys (their provider values, from <paramref name="key"/> by field ordinal) or its number in the range.
    /// </summary>
    public DataValidationException BadValue(Func<int, object?> key, long row, int ordinal, string what, Exception? inner)
    {
        var (name, type, schemaColumn) = plan.Fields[ordinal];
        var keys = plan.Keys.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"row {row}")
            : string.Join(", ", plan.Keys.Select(k => $"{plan.Fields[k].Name} = {(key(k) is { } value ? ValueMapper.Show(value) : "null")}"));
        return new DataValidationException(
            $"Dataset {plan.Definition.Id}, {_describe}, {What}, column '{name}' ({keys}): {what}; the schema column '{schemaColumn}' is {type}. Nothing was published.", inner)
        {
            Dataset = plan.Definition.Id,
            Location = plan.Database.Connection,
            Column = schemaColumn,
        };
    }

    /// <summary>
    /// Gets the <c>WHERE</c> clause of a range (empty when it has no bound) and its parameters. Values are referred to as
    /// <c>@name</c>, or as <paramref name="reference"/> writes them (the binary COPY reads them from a temporary table).
    /// </summary>
    public string Where(ExtractWindow window, KeyRange range, DbCommand? command, out IReadOnlyList<(string Name, object Value)> parameters, Func<string, string>? reference = null)
    {
        var predicates = new List<string>();
        var list = new List<(string, object)>();
        string Ref(string name) => reference?.Invoke(name) ?? "@" + name;
        void Add(string name, object value)
        {
            list.Add((name, value));
            if (command is not null)
            {
                dialect.AddParameter(command, name, value);
            }
        }

        if (plan.Cursor >= 0)
        {
            var cursor = dialect.Quote(plan.Fields[plan.Cursor].Name);
            if (window.Lower is { } lower)
            {
                predicates.Add($"{cursor} > {Ref("cursor_lower")}");
                Add("cursor_lower", lower);
            }

            if (window.Upper is { } upper)
            {
                predicates.Add($"{cursor} <= {Ref("cursor_upper")}");
                Add("cursor_upper", upper);
            }
        }

        if (plan.Partition >= 0 && range != KeyRange.All)
        {
            var key = dialect.Quote(plan.Fields[plan.Partition].Name);
            if (range.From is { } from)
            {
                predicates.Add($"{key} >= {Ref("range_from")}");
                Add("range_from", from);
            }

            if (range.To is { } to)
            {
                predicates.Add(range.From is null ? $"({key} < {Ref("range_to")} OR {key} IS NULL)" : $"{key} < {Ref("range_to")}");
                Add("range_to", to);
            }
        }

        parameters = list;
        return predicates.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", predicates);
    }

    public DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = plan.Database.CommandTimeoutSeconds;
        return command;
    }

    private async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = Command(connection, sql);
        await using (command.ConfigureAwait(false))
        {
            var value = await Run(() => command.ExecuteScalarAsync(cancellationToken)).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
    }

    public async Task<T> Run<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw Fail($"reading {What} failed: {Message(ex)}", ex, transient: ex.IsTransient);
        }
    }

    private async Task<IngestException> ExplainProbeFailureAsync(DbConnection connection, DbException error, CancellationToken cancellationToken)
    {
        var available = new List<string>();
        try
        {
            var command = Command(connection, $"SELECT * FROM {_source} WHERE 1 = 0");
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        available.Add(reader.GetName(i));
                    }
                }
            }
        }
        catch (DbException ex)
        {
            return Fail($"cannot read {What}: {Message(ex)}", ex);
        }

        foreach (var (name, _, schemaColumn) in plan.Fields)
        {
            if (!available.Contains(name, StringComparer.Ordinal))
            {
                return Fail($"column '{name}' (schema column '{schemaColumn}') does not exist in {What}; it has: {string.Join(", ", available)}.", error, schemaColumn);
            }
        }

        return Fail($"cannot read {What}: {Message(error)}", error);
    }

    public IngestException Fail(string what, Exception? inner, string? column = null, bool transient = false)
        => new($"Dataset {plan.Definition.Id}, {_describe}: {what}", inner)
        {
            Dataset = plan.Definition.Id,
            Location = plan.Database.Connection,
            Column = column,
            IsTransient = transient,
        };

    // Provider messages can span lines (PostgreSQL adds DETAIL and POSITION); the first line says what happened.
    public static string Message(Exception ex) => ex.Message.Split('\n')[0].Trim();
}
