using System.Globalization;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Aws.Glue;

/// <summary>The Glue table of a dataset, derived from its definition and <see cref="DatasetLayout"/> like every other reader of the lake.</summary>
internal static class GlueTables
{
    /// <summary>The SerDe of the curated Parquet files.</summary>
    public const string ParquetSerDe = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

    /// <summary>The Hadoop input format of Parquet tables.</summary>
    public const string ParquetInputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";

    /// <summary>The Hadoop output format of Parquet tables.</summary>
    public const string ParquetOutputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";

    /// <summary>The table property holding the definition version the table was built from.</summary>
    public const string DefinitionVersionProperty = "ingest.definition_version";

    /// <summary>Returns the Hive type name Glue and Athena use for a column type: <c>string</c>, <c>boolean</c>, <c>int</c>, <c>bigint</c>, <c>float</c>, <c>double</c>, <c>decimal(p,s)</c>, <c>date</c>, <c>timestamp</c>.</summary>
    /// <param name="type">The column type.</param>
    public static string HiveType(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => "string",
        ColumnKind.Boolean => "boolean",
        ColumnKind.Int32 => "int",
        ColumnKind.Int64 => "bigint",
        ColumnKind.Float => "float",
        ColumnKind.Double => "double",
        ColumnKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({type.Precision},{type.Scale})"),
        ColumnKind.Date => "date",
        ColumnKind.Timestamp => "timestamp",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column kind."),
    };

    /// <summary>
    /// Builds the table input: an external Parquet table at <paramref name="location"/> whose columns are the curated file
    /// columns (lineage columns included) and whose partition keys are the partition columns, with the descriptions as
    /// comments; with <see cref="PartitionStrategy.Projection"/> the partition projection properties are added.
    /// </summary>
    /// <param name="registered">The registered definition.</param>
    /// <param name="location">The <c>s3://</c> prefix of the dataset in the curated zone, ending with '/'.</param>
    public static GlueTableInput Build(RegisteredDefinition registered, string location)
    {
        ArgumentNullException.ThrowIfNull(registered);
        ArgumentException.ThrowIfNullOrEmpty(location);
        var definition = registered.Definition;
        if (!location.EndsWith('/'))
        {
            location += "/";
        }

        var partitionColumns = DatasetLayout.PartitionColumns(definition);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["EXTERNAL"] = "TRUE",
            ["classification"] = "parquet",
            ["parquet.compression"] = definition.Write.Compression.ToString().ToUpperInvariant(),
            ["ingest.dataset"] = definition.Id.ToString(),
            [DefinitionVersionProperty] = registered.Version.ToString(CultureInfo.InvariantCulture),
            ["ingest.fingerprint"] = registered.Fingerprint,
        };
        if (definition.Catalog.PartitionStrategy == PartitionStrategy.Projection && partitionColumns.Count > 0)
        {
            AddProjection(parameters, definition, location);
        }

        return new GlueTableInput(
            definition.CatalogTable,
            definition.Description,
            "EXTERNAL_TABLE",
            parameters,
            Storage(definition, location),
            [.. partitionColumns.Select(Column)]);
    }

    /// <summary>The storage descriptor of the table or of one of its partitions (the same columns and SerDe).</summary>
    internal static GlueStorageDescriptor Storage(DatasetDefinition definition, string location) => new(
        [.. DatasetLayout.CuratedFileColumns(definition).Select(Column)],
        location,
        ParquetInputFormat,
        ParquetOutputFormat,
        new GlueSerDeInfo(ParquetSerDe, new Dictionary<string, string>(StringComparer.Ordinal) { ["serialization.format"] = "1" }));

    private static GlueColumn Column(ColumnDefinition column) => new(column.Name, HiveType(column.Type), column.Description);

    private static void AddProjection(Dictionary<string, string> parameters, DatasetDefinition definition, string location)
    {
        parameters["projection.enabled"] = "true";
        var template = location;
        foreach (var field in definition.Partitioning)
        {
            var name = field.EffectiveName;
            var prefix = $"projection.{name}.";
            template += $"{name}=${{{name}}}/";
            var kind = field.Transform == PartitionTransform.Identity ? definition.FindColumn(field.Column!)?.Type.Kind : null;
            switch (field.Transform)
            {
                case PartitionTransform.Day or PartitionTransform.IngestDate:
                    Date(parameters, prefix, "yyyy-MM-dd", "2000-01-01,NOW", "DAYS");
                    break;
                case PartitionTransform.Month:
                    Date(parameters, prefix, "yyyy-MM", "2000-01,NOW", "MONTHS");
                    break;
                case PartitionTransform.Year:
                    parameters[prefix + "type"] = "integer";
                    parameters[prefix + "range"] = "2000,2100";
                    break;
                case PartitionTransform.Identity when kind == ColumnKind.Date:
                    Date(parameters, prefix, "yyyy-MM-dd", "2000-01-01,NOW", "DAYS");
                    break;
                default:
                    // Identity values are unknown in advance: queries must name them (WHERE column = value).
                    parameters[prefix + "type"] = "injected";
                    break;
            }
        }

        parameters["storage.location.template"] = template;

        static void Date(Dictionary<string, string> parameters, string prefix, string format, string range, string unit)
        {
            parameters[prefix + "type"] = "date";
            parameters[prefix + "format"] = format;
            parameters[prefix + "range"] = range;
            parameters[prefix + "interval"] = "1";
            parameters[prefix + "interval.unit"] = unit;
        }
    }
}
