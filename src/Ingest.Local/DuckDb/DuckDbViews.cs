using System.Globalization;
using System.Text;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Local.DuckDb;

/// <summary>
/// The DuckDB DDL that exposes a dataset as <c>"database"."table"</c> (curated zone) and <c>"database"."table_quarantine"</c>
/// (quarantine zone) over the folder lake, the local stand-in for the Glue table Athena reads.
/// </summary>
/// <remarks>
/// <para>
/// Each view projects the definition's columns with the definition's types, so that a query sees the same types
/// whatever the files carry (a column widened from int32 to int64 in a later version, a nullable column no file has yet).
/// The files are read with <c>read_parquet(…, hive_partitioning = true, union_by_name = true, hive_types = {…})</c> and
/// united by name with a typed empty row set; a filter on a partition column prunes the folders that cannot match.
/// <c>union_by_name</c> reads the footer of every file when a query is bound: a file whose footer is unreadable fails
/// every query of the dataset; a file whose data is damaged fails only the queries that scan its partition.
/// </para>
/// <para>
/// Types: string → VARCHAR, boolean → BOOLEAN, int32 → INTEGER, int64 → BIGINT, float → FLOAT, double → DOUBLE,
/// decimal(p,s) → DECIMAL(p,s), date → DATE, timestamp → TIMESTAMP. Timestamps are UTC instants shown as
/// <c>TIMESTAMP</c> (without time zone) holding the UTC wall-clock time, as Athena's <c>timestamp</c> does: a query written
/// locally then compares and prints the same values on Athena, and the result never depends on the DuckDB session's
/// <c>TimeZone</c>. The view converts through <c>make_timestamp(epoch_us(…))</c>, which gives the UTC time whether a
/// file stores the instant adjusted to UTC (TIMESTAMPTZ) or not.
/// </para>
/// <para>
/// Every identifier comes from a validated definition (<see cref="Identifier.IsValid"/>) and is quoted; paths are
/// string literals with quotes doubled. DuckDB expands glob characters (<c>* ? [ ]</c>) in the lake path, so the root
/// folder must not contain them.
/// </para>
/// </remarks>
internal static class DuckDbViews
{
    private const string ColumnName = "column name";

    /// <summary>Returns the DDL for both views of the dataset, refusing any name that is not a valid identifier.</summary>
    /// <remarks>
    /// An Iceberg table's view reads exactly the data files of one snapshot (<paramref name="icebergFiles"/>, from
    /// <see cref="Ingest.Catalog.TableSnapshots"/>), never a folder listing: a query never sees half a run, and the files
    /// of a retained snapshot are never deleted under it.
    /// </remarks>
    public static string CreateViewsSql(RegisteredDefinition registered, FolderZones lake, IReadOnlyList<string>? icebergFiles = null)
    {
        ArgumentNullException.ThrowIfNull(registered);
        var definition = registered.Definition;
        var database = Quote(definition.CatalogDatabase, "catalog.database");
        var table = definition.CatalogTable;
        var partitions = DatasetLayout.PartitionColumns(definition);
        var prefix = DatasetLayout.DatasetPrefix(definition.Id);

        var sql = new StringBuilder();
        sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(database).AppendLine(";");
        if (definition.TableFormat == TableFormat.Iceberg)
        {
            AppendFilesView(sql, database, Quote(table, "catalog.table"), DatasetLayout.CuratedFileColumns(definition), icebergFiles ?? []);
        }
        else
        {
            AppendView(sql, database, Quote(table, "catalog.table"), DatasetLayout.CuratedFileColumns(definition), partitions, lake.Folder(LakeZone.Curated, prefix));
        }

        AppendView(
            sql,
            database,
            Quote(table + "_quarantine", "catalog.table"),
            DatasetLayout.QuarantineFileColumns(definition),
            [new ColumnDefinition { Name = "ingest_date", Type = ColumnType.Date, Nullable = false }],
            lake.Folder(LakeZone.Quarantine, prefix));
        return sql.ToString();
    }

    /// <summary>Returns whether a folder holds at least one Parquet file (at any depth).</summary>
    public static bool HasParquetFiles(string folder)
        => Directory.Exists(folder)
        && Directory.EnumerateFiles(folder, "*.parquet", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Any(f => f.EndsWith(".parquet", StringComparison.Ordinal));

    /// <summary>Maps a column type to its DuckDB type.</summary>
    public static string DuckDbType(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => "VARCHAR",
        ColumnKind.Boolean => "BOOLEAN",
        ColumnKind.Int32 => "INTEGER",
        ColumnKind.Int64 => "BIGINT",
        ColumnKind.Float => "FLOAT",
        ColumnKind.Double => "DOUBLE",
        ColumnKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision},{type.Scale})"),
        ColumnKind.Date => "DATE",
        ColumnKind.Timestamp => "TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    private static readonly HashSet<string> LayoutColumns =
        [.. DatasetLayout.LineageColumns.Concat(DatasetLayout.QuarantineMetadataColumns).Select(c => c.Name)];

    /// <summary>Quotes a validated identifier or one of the layout's own underscore columns; anything else is refused.</summary>
    public static string Quote(string name, string what)
    {
        if (!Identifier.IsValid(name) && !LayoutColumns.Contains(name))
        {
            throw new ArgumentException($"'{name}' is not a valid {what} for a DuckDB view: use {Identifier.Pattern}.", nameof(name));
        }

        return "\"" + name + "\"";
    }

    /// <summary>Writes a string literal, doubling single quotes.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void AppendView(StringBuilder sql, string database, string view, IReadOnlyList<ColumnDefinition> fileColumns, IReadOnlyList<ColumnDefinition> partitions, string folder)
    {
        List<ColumnDefinition> columns = [.. fileColumns, .. partitions];
        var empty = "SELECT " + string.Join(", ", columns.Select(c => $"CAST(NULL AS {DuckDbType(c.Type)}) AS {Quote(c.Name, ColumnName)}")) + " WHERE false";
        sql.Append("CREATE OR REPLACE VIEW ").Append(database).Append('.').Append(view).Append(" AS ");
        if (!HasParquetFiles(folder))
        {
            sql.Append(empty).AppendLine(";");
            return;
        }

        var glob = Path.Combine(folder, "**", "*.parquet");
        sql.Append("SELECT ").AppendJoin(", ", columns.Select(Project))
            .Append(" FROM (SELECT * FROM read_parquet(").Append(Literal(glob))
            .Append(", hive_partitioning = true, union_by_name = true");
        if (partitions.Count > 0)
        {
            sql.Append(", hive_types = {")
                .AppendJoin(", ", partitions.Select(p => $"{Literal(p.Name)}: {DuckDbType(p.Type)}"))
                .Append('}');
        }

        sql.Append(") UNION ALL BY NAME ").Append(empty).AppendLine(");");
    }

    private static void AppendFilesView(StringBuilder sql, string database, string view, IReadOnlyList<ColumnDefinition> columns, IReadOnlyList<string> files)
    {
        var empty = "SELECT " + string.Join(", ", columns.Select(c => $"CAST(NULL AS {DuckDbType(c.Type)}) AS {Quote(c.Name, ColumnName)}")) + " WHERE false";
        sql.Append("CREATE OR REPLACE VIEW ").Append(database).Append('.').Append(view).Append(" AS ");
        if (files.Count == 0)
        {
            sql.Append(empty).AppendLine(";");
            return;
        }

        // Paths as literals, never globbed: a list of exactly the snapshot's files.
        sql.Append("SELECT ").AppendJoin(", ", columns.Select(Project))
            .Append(" FROM (SELECT * FROM read_parquet([").AppendJoin(", ", files.Select(f => Literal(f)))
            .Append("], union_by_name = true) UNION ALL BY NAME ").Append(empty).AppendLine(");");
    }

    private static string Project(ColumnDefinition column)
    {
        var name = Quote(column.Name, ColumnName);
        return column.Type.Kind == ColumnKind.Timestamp
            ? $"make_timestamp(epoch_us({name})) AS {name}"
            : $"CAST({name} AS {DuckDbType(column.Type)}) AS {name}";
    }
}

/// <summary>Where the zones of a folder lake are, for building view paths.</summary>
/// <param name="LakeRoot">The absolute folder that holds the zone folders.</param>
internal sealed record FolderZones(string LakeRoot)
{
    /// <summary>Returns the absolute folder of a dataset prefix (<c>domain/name/</c>) in a zone.</summary>
    public string Folder(LakeZone zone, string prefix)
        => Path.Combine(LakeRoot, zone.Name, prefix.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar));
}
