using System.Text.RegularExpressions;

namespace Ingest.Definitions;

/// <summary>Checks <see cref="SourceDefinition.Database"/>: every name that reaches SQL is validated here, before any run.</summary>
internal static partial class DatabaseSourceValidator
{
    /// <summary>The pattern of a table, schema or source column name in SQL (quoted by the extractor as well).</summary>
    public const string SqlNamePattern = "^[A-Za-z_][A-Za-z0-9_]{0,127}$";

    public static bool IsSqlName(string? value) => value is not null && SqlNameRegex().IsMatch(value);

    public static void Validate(DatasetDefinition d, Action<string, string> error)
    {
        if (d.Source is not { } s)
        {
            return;
        }

        if (s.Format != SourceFormat.Database)
        {
            if (s.Database is not null)
            {
                error("$.source.database", "is only allowed with \"format\": \"database\".");
            }

            return;
        }

        if (s.Database is not { } db)
        {
            error("$.source.database", "is required when format is database (connection, provider and table or query).");
            return;
        }

        if (!IsSqlName(db.Connection))
        {
            error("$.source.database.connection", $"'{db.Connection}' is not a valid connection name: use letters, digits and underscores ({SqlNamePattern}); the connection string itself belongs in configuration.");
        }

        ValidateTableOrQuery(db, error);
        ValidateColumns(d, error);
        ValidateCursor(d, db, error);
        ValidateParallelism(d, db, error);
        if (db.CommandTimeoutSeconds is < 0 or > 86_400)
        {
            error("$.source.database.commandTimeoutSeconds", $"{db.CommandTimeoutSeconds} must be between 0 (no limit) and 86400.");
        }
    }

    private static void ValidateTableOrQuery(DatabaseSourceSettings db, Action<string, string> error)
    {
        if ((db.Table is null) == (db.Query is null))
        {
            error("$.source.database", "needs exactly one of table and query.");
        }
        else if (db.Table is { } table)
        {
            var parts = table.Split('.');
            if (parts.Length > 2 || !parts.All(IsSqlName))
            {
                error("$.source.database.table", $"'{table}' is not a valid table name: use table or schema.table, each part {SqlNamePattern}.");
            }
        }
        else if (db.Query is { } query)
        {
            var text = query.Trim().TrimEnd(';').TrimEnd();
            if (!StartsWithKeyword(text, "select") && !StartsWithKeyword(text, "with"))
            {
                error("$.source.database.query", "must be one SELECT (or WITH … SELECT) statement.");
            }
            else if (text.Contains(';', StringComparison.Ordinal))
            {
                error("$.source.database.query", "must be a single statement (no ';' inside).");
            }
        }
    }

    private static void ValidateColumns(DatasetDefinition d, Action<string, string> error)
    {
        for (var i = 0; d.Columns is not null && i < d.Columns.Count; i++)
        {
            var name = d.Columns[i].EffectiveSourceColumn;
            if (!IsSqlName(name))
            {
                error($"$.columns[{i}].sourceColumn", $"'{name}' is not a valid database column name: use {SqlNamePattern}.");
            }
        }
    }

    private static void ValidateCursor(DatasetDefinition d, DatabaseSourceSettings db, Action<string, string> error)
    {
        if (db.Cursor is not { } cursor)
        {
            return;
        }

        var column = d.FindColumn(cursor.Column);
        if (column is null)
        {
            error("$.source.database.cursor.column", $"'{cursor.Column}' is not a column of the schema.");
        }
        else if (column.Type.Kind is not (ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Decimal or ColumnKind.Date or ColumnKind.Timestamp))
        {
            error("$.source.database.cursor.column", $"cursor column '{column.Name}' is {column.Type}; a cursor must be int32, int64, decimal, date or timestamp.");
        }

        if (cursor.Lag < 0)
        {
            error("$.source.database.cursor.lag", $"{cursor.Lag} must not be negative.");
        }
    }

    private static void ValidateParallelism(DatasetDefinition d, DatabaseSourceSettings db, Action<string, string> error)
    {
        if (db.Parallelism is < 1 or > 32)
        {
            error("$.source.database.parallelism", $"{db.Parallelism} must be between 1 and 32.");
        }

        if (db.PartitionColumn is { } name)
        {
            var column = d.FindColumn(name);
            if (column is null)
            {
                error("$.source.database.partitionColumn", $"'{name}' is not a column of the schema.");
            }
            else if (column.Type.Kind is not (ColumnKind.Int32 or ColumnKind.Int64))
            {
                error("$.source.database.partitionColumn", $"'{name}' is {column.Type}; ranges need an int32 or int64 column.");
            }
        }
        else if (db.Parallelism > 1)
        {
            error("$.source.database.partitionColumn", "is required when parallelism is above 1 (an int32 or int64 column to split into ranges).");
        }
    }

    private static bool StartsWithKeyword(string text, string keyword)
        => text.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && (text.Length == keyword.Length || char.IsWhiteSpace(text[keyword.Length]) || text[keyword.Length] == '(');

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SqlNameRegex();
}
