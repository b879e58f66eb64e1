using System.Data.Common;
using Ingest.Database.Mapping;
using Ingest.Definitions;
using Npgsql;
using NpgsqlTypes;

namespace Ingest.Database.Extraction;

/// <summary>
/// Reads one range of a PostgreSQL extraction with <c>COPY (SELECT …) TO STDOUT (FORMAT BINARY)</c> through Npgsql's binary
/// exporter: each value is read in its provider type (the one <c>DbDataReader.GetValue</c> returns) without boxing and converted
/// by <see cref="ValueMapper"/>'s rules straight into the column arrays of an <see cref="ExtractBatch"/>.
/// </summary>
/// <remarks>
/// <para>
/// COPY takes no parameters, so the window's and the range's bounds are not written into the SQL text: they are inserted as
/// ordinary parameters into a one-row temporary table (<c>pg_temp.ingest_extract_window</c>, typed as Npgsql types the same
/// parameters in the ADO.NET path) and the COPY's query reads them with scalar subqueries, so the comparison happens in the same
/// types as <c>"c" &gt; @cursor_lower</c>. The SQL text holds only quoted identifiers and fixed type names.
/// </para>
/// <para>
/// Only the types listed in <see cref="Columns"/> are read this way; a source with any other column type, or a session that
/// cannot create a temporary table (no TEMPORARY privilege, a read-only standby), is read through ADO.NET.
/// </para>
/// </remarks>
internal static class PostgresBinaryCopy
{
    private const string WindowTable = "pg_temp.ingest_extract_window";

    /// <summary>Returns a reader per field, or <see langword="null"/> when a field's PostgreSQL type has no typed reading here.</summary>
    public static CopyColumn[]? Columns(ExtractPlan plan, IReadOnlyList<string>? postgresTypes)
    {
        if (postgresTypes is null || postgresTypes.Count != plan.Fields.Count)
        {
            return null;
        }

        var columns = new CopyColumn[plan.Fields.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var type = plan.Fields[i].Type;
            CopyColumn? column = postgresTypes[i] switch
            {
                "int2" => CopyColumns.For<short>(NpgsqlDbType.Smallint, type, plan.Zone),
                "int4" => CopyColumns.For<int>(NpgsqlDbType.Integer, type, plan.Zone),
                "int8" => CopyColumns.For<long>(NpgsqlDbType.Bigint, type, plan.Zone),
                "numeric" => CopyColumns.For<decimal>(NpgsqlDbType.Numeric, type, plan.Zone),
                "money" => CopyColumns.For<decimal>(NpgsqlDbType.Money, type, plan.Zone),
                "float4" => CopyColumns.For<float>(NpgsqlDbType.Real, type, plan.Zone),
                "float8" => CopyColumns.For<double>(NpgsqlDbType.Double, type, plan.Zone),
                "bool" => CopyColumns.For<bool>(NpgsqlDbType.Boolean, type, plan.Zone),
                "text" => CopyColumns.For<string>(NpgsqlDbType.Text, type, plan.Zone),
                "varchar" => CopyColumns.For<string>(NpgsqlDbType.Varchar, type, plan.Zone),
                "bpchar" => CopyColumns.For<string>(NpgsqlDbType.Char, type, plan.Zone),
                "uuid" => CopyColumns.For<Guid>(NpgsqlDbType.Uuid, type, plan.Zone),
                "date" => CopyColumns.For<DateTime>(NpgsqlDbType.Date, type, plan.Zone),
                "timestamp" => CopyColumns.For<DateTime>(NpgsqlDbType.Timestamp, type, plan.Zone),
                "timestamptz" => CopyColumns.For<DateTime>(NpgsqlDbType.TimestampTz, type, plan.Zone),
                _ => null,
            };
            if (column is null)
            {
                return null;
            }

            columns[i] = column;
        }

        return columns;
    }

    /// <summary>
    /// Puts the range's bounds into the session's temporary table and returns the COPY statement, or <see langword="null"/> when
    /// they cannot be kept there (a bound of a type without a fixed PostgreSQL name, no TEMPORARY privilege, a read-only session).
    /// </summary>
    public static async Task<string?> PrepareAsync(SourceConnection source, NpgsqlConnection connection, ExtractWindow window, KeyRange range, CancellationToken cancellationToken)
    {
        var where = source.Where(window, range, null, out var parameters, name => $"(SELECT {name} FROM {WindowTable})");
        var sql = $"COPY (SELECT {source.Plan.SelectList(source.Dialect)} FROM {source.From}{where}) TO STDOUT (FORMAT BINARY)";
        if (parameters.Count == 0)
        {
            return sql;
        }

        var columns = new List<string>();
        foreach (var (name, value) in parameters)
        {
            if (TypeName(value) is not { } type)
            {
                return null;
            }

            columns.Add($"{name} {type}");
        }

        try
        {
            var create = source.Command(connection, $"DROP TABLE IF EXISTS {WindowTable}; CREATE TEMPORARY TABLE ingest_extract_window ({string.Join(", ", columns)})");
            await using (create.ConfigureAwait(false))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var insert = source.Command(connection, $"INSERT INTO {WindowTable} VALUES ({string.Join(", ", parameters.Select(p => "@" + p.Name))})");
            await using (insert.ConfigureAwait(false))
            {
                foreach (var (name, value) in parameters)
                {
                    source.Dialect.AddParameter(insert, name, value);
                }

                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            return null;
        }
        catch (DbException ex)
        {
            throw source.Fail($"reading {source.What} failed: {SourceConnection.Message(ex)}", ex, transient: ex.IsTransient);
        }

        return sql;
    }

    /// <summary>Streams the rows of the COPY in batches of <paramref name="batchRows"/>; blocking reads, so run it on a thread of its own.</summary>
    public static IEnumerable<ExtractBatch> Read(SourceConnection source, NpgsqlConnection connection, string sql, CopyColumn[] columns, int batchRows, CancellationToken cancellationToken)
    {
        var plan = source.Plan;
        var types = plan.Fields.Select(f => f.Type).ToArray();
        using var export = connection.BeginBinaryExport(sql);
        if (plan.Database.CommandTimeoutSeconds > 0)
        {
            export.Timeout = TimeSpan.FromSeconds(plan.Database.CommandTimeoutSeconds);
        }

        using var cancellation = cancellationToken.Register(() => Cancel(export));
        var batch = new ExtractBatch(types, batchRows);
        long row = 0;
        while (export.StartRow() != -1)
        {
            row++;
            string? error = null;
            var errorColumn = -1;
            Exception? inner = null;
            for (var i = 0; i < columns.Length; i++)
            {
                try
                {
                    if (columns[i].Read(export, batch.Columns[i], batch.Count) is { } wrong && error is null)
                    {
                        (error, errorColumn) = (wrong, i);
                    }
                }
                catch (Exception ex) when (ex is InvalidCastException or OverflowException or ArgumentException)
                {
                    columns[i].Forget();
                    if (error is null)
                    {
                        (error, errorColumn, inner) = (SourceConnection.CannotRead(ex), i, ex);
                    }
                }
            }

            if (error is not null)
            {
                throw source.BadValue(k => columns[k].Native, row, errorColumn, error, inner);
            }

            if (++batch.Count == batchRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return batch;
                batch = new ExtractBatch(types, batchRows);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>The PostgreSQL type Npgsql sends a parameter of this value as (the ADO.NET path's comparison type), or <see langword="null"/>.</summary>
    private static string? TypeName(object value) => value switch
    {
        long => "bigint",
        int => "integer",
        short => "smallint",
        decimal => "numeric",
        double => "double precision",
        float => "real",
        DateTime { Kind: DateTimeKind.Utc } => "timestamp with time zone",
        DateTime { Kind: DateTimeKind.Unspecified } => "timestamp without time zone",
        DateTimeOffset => "timestamp with time zone",
        DateOnly => "date",
        string => "text",
        _ => null,
    };

    private static void Cancel(NpgsqlBinaryExporter export)
    {
        try
        {
            export.Cancel();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // The export ended or failed meanwhile; the reading thread sees the cancellation between batches.
        }
    }
}
