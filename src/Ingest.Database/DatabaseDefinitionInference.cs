using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Ingest.Database.Connections;
using Ingest.Database.Extraction;
using Ingest.Definitions;
using Ingest.Definitions.Inference;

namespace Ingest.Database;

/// <summary>
/// Drafts the definition of a database source: a table or query read through the same connection settings as its runs
/// (<see cref="DatabaseSourceOptions"/>, the connection name, the provider), a bounded sample of rows.
/// </summary>
public static class DatabaseDefinitionInference
{
    /// <summary>
    /// Reads the first <paramref name="sampleRows"/> rows of <paramref name="database"/>'s table or query and drafts its columns:
    /// the declared types where they map (integers, decimals with their precision and scale, floating point, booleans, dates,
    /// timestamps, text), the values checked by the engine's converter otherwise (every SQLite column), nullability from
    /// <c>NOT NULL</c>; keys, partitioning and rules are suggested in the report.
    /// </summary>
    /// <exception cref="ArgumentException">The options or the database settings are invalid.</exception>
    /// <exception cref="IngestException">The connection is not configured or cannot be opened, or the table cannot be read.</exception>
    public static async Task<InferredDefinition> InferAsync(
        DatasetId id, DatabaseSourceSettings database, DatabaseSourceOptions options, int sampleRows = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRows, 1);
        var source = new SourceDefinition { Format = SourceFormat.Database, Database = database };
        var probe = new DatasetDefinition { Id = id, Source = source, Columns = [new ColumnDefinition { Name = "probe", Type = ColumnType.String }] };
        DatasetDefinitionSerializer.EnsureValid(probe, "(database source)");
        var resolution = new ConnectionResolution(options, null);
        var connectionString = await resolution.ResolveAsync(id, database, cancellationToken).ConfigureAwait(false);
        var factory = resolution.Factory(id, database.Provider);
        var dialect = SqlDialect.For(database.Provider);
        var described = ConnectionResolution.Describe(factory, database.Connection, database.Provider, connectionString);
        var limit = sampleRows.ToString(CultureInfo.InvariantCulture);
        var sql = database.Provider == DatabaseProvider.SqlServer
            ? $"SELECT TOP ({limit}) * FROM {dialect.Source(database)}"
            : $"SELECT * FROM {dialect.Source(database)} LIMIT {limit}";

        var connection = factory.CreateConnection() ?? throw new IngestException($"Dataset {id}: the provider of {described} cannot create connections.") { Dataset = id };
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                connection.ConnectionString = connectionString;
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = sql;
                    var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var fields = Fields(reader, database.Provider);
                        var what = database.Table ?? "query";
                        return await DefinitionInference.InferFromValuesAsync(id, source, $"{what} ({described})", fields, Rows(reader, cancellationToken), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (DbException ex)
            {
                throw new IngestException($"Dataset {id}: cannot read {(database.Table is { } t ? $"table {t}" : "the query")} of {described}: {ex.Message.Trim()}", ex) { Dataset = id, Location = database.Connection };
            }
        }
    }

    private static List<InferenceField> Fields(DbDataReader reader, DatabaseProvider provider)
    {
        var schema = reader.GetColumnSchema();
        var fields = new List<InferenceField>();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var column = schema.Count > i ? schema[i] : null;
            var typeName = reader.GetDataTypeName(i);

            // SQLite declares affinities, not types: its values are checked one by one (as runs check them).
            var declared = provider == DatabaseProvider.Sqlite ? null : Declared(reader.GetFieldType(i), typeName, column);
            fields.Add(new InferenceField(reader.GetName(i), declared, typeName, provider == DatabaseProvider.Sqlite ? null : column?.AllowDBNull));
        }

        return fields;
    }

    private static ColumnType? Declared(Type type, string typeName, DbColumn? column)
    {
        if (type == typeof(decimal))
        {
            var (p, s) = (column?.NumericPrecision ?? 0, column?.NumericScale ?? 0);
            return p is > 0 and <= ColumnType.MaxDecimalPrecision && s >= 0 && s <= p ? ColumnType.Decimal(p, s) : null; // unbounded numeric: from the values
        }

        var name = typeName.ToLowerInvariant();
        return type switch
        {
            _ when type == typeof(bool) => ColumnType.Boolean,
            _ when type == typeof(byte) || type == typeof(short) || type == typeof(int) || type == typeof(sbyte) => ColumnType.Int32,
            _ when type == typeof(long) => ColumnType.Int64,
            _ when type == typeof(float) => ColumnType.Float,
            _ when type == typeof(double) => ColumnType.Double,
            _ when type == typeof(DateOnly) => ColumnType.Date,
            _ when type == typeof(DateTime) && name == "date" => ColumnType.Date,
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => ColumnType.Timestamp,
            _ when type == typeof(string) || type == typeof(Guid) => ColumnType.String,
            _ => null,
        };
    }

    private static async IAsyncEnumerable<object?[]> Rows(DbDataReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken).ConfigureAwait(false) ? null : reader.GetValue(i);
            }

            yield return row;
        }
    }
}
