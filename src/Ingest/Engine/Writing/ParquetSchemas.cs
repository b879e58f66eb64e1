using Ingest.Definitions;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Writing;

/// <summary>
/// Maps schema columns to Parquet fields with the logical types independent readers expect: strings as UTF8,
/// decimals as DECIMAL(p,s) in fixed-length byte arrays (what Hive and Athena read), dates as DATE,
/// timestamps as TIMESTAMP(MICROS, isAdjustedToUTC = true). Every column is OPTIONAL so that files written
/// by different compatible versions line up.
/// </summary>
internal static class ParquetSchemas
{
    public static ParquetSchema Create(IReadOnlyList<ColumnDefinition> columns)
        => new(columns.Select(CreateField).ToArray<Field>());

    public static DataField CreateField(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.String => new DataField<string>(column.Name, nullable: true),
        ColumnKind.Boolean => new DataField<bool?>(column.Name),
        ColumnKind.Int32 => new DataField<int?>(column.Name),
        ColumnKind.Int64 => new DataField<long?>(column.Name),
        ColumnKind.Float => new DataField<float?>(column.Name),
        ColumnKind.Double => new DataField<double?>(column.Name),
        ColumnKind.Decimal => new DecimalDataField(column.Name, column.Type.Precision, column.Type.Scale, forceByteArrayEncoding: true, isNullable: true),
        ColumnKind.Date => new DataField<DateOnly?>(column.Name),
        ColumnKind.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column kind."),
    };

    public static ParquetOptions WriteOptions(ParquetCompression compression) => new()
    {
        CompressionMethod = compression switch
        {
            ParquetCompression.Snappy => CompressionMethod.Snappy,
            ParquetCompression.Zstd => CompressionMethod.Zstd,
            ParquetCompression.Gzip => CompressionMethod.Gzip,
            _ => CompressionMethod.None,
        },
        UseDateOnlyTypeForDates = true,
    };
}
