using Ingest.Definitions;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>Parquet's physical types (the values of the format's <c>Type</c> enum).</summary>
internal enum PhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

/// <summary>
/// How a schema column is stored in Parquet, with the logical types independent readers expect: strings as
/// UTF8 byte arrays, decimals as DECIMAL(p,s) in fixed-length big-endian byte arrays of the smallest width
/// for the precision (what Hive, Athena and Spark read), dates as DATE (days since the epoch), timestamps as
/// TIMESTAMP(MICROS, isAdjustedToUTC = true). Every column is OPTIONAL, so that files written by different
/// compatible versions line up.
/// </summary>
/// <remarks>
/// Whole numbers (int, bigint) are DELTA_BINARY_PACKED (part of the format since 2.0, read by DuckDB,
/// Trino/Athena, Spark, Hive 3 and Parquet.Net): ids and line numbers that grow by one take almost no space,
/// which plain encoding with Snappy does not achieve. Strings are dictionary-encoded when at most a fifth of
/// a row group's values are distinct (country codes, the constant lineage columns); above that a dictionary
/// costs more than it saves, and the values are written plain.
/// </remarks>
internal sealed record ParquetColumn(string Name, ColumnType Type, PhysicalType Physical, int TypeLength)
{
    /// <summary>Gets the field id written into the schema element (Iceberg's column id), or <see langword="null"/> for none.</summary>
    public int? FieldId { get; init; }

    /// <summary>Gets whether values are DELTA_BINARY_PACKED rather than PLAIN.</summary>
    public bool Delta => Type.Kind is ColumnKind.Int32 or ColumnKind.Int64;

    /// <summary>Gets whether a dictionary is tried for the values of a column chunk.</summary>
    public bool TryDictionary => Type.Kind == ColumnKind.String;

    public static ParquetColumn From(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.String => new(column.Name, column.Type, PhysicalType.ByteArray, 0),
        ColumnKind.Boolean => new(column.Name, column.Type, PhysicalType.Boolean, 0),
        ColumnKind.Int32 or ColumnKind.Date => new(column.Name, column.Type, PhysicalType.Int32, 0),
        ColumnKind.Int64 or ColumnKind.Timestamp => new(column.Name, column.Type, PhysicalType.Int64, 0),
        ColumnKind.Float => new(column.Name, column.Type, PhysicalType.Float, 0),
        ColumnKind.Double => new(column.Name, column.Type, PhysicalType.Double, 0),
        ColumnKind.Decimal => new(column.Name, column.Type, PhysicalType.FixedLenByteArray, DecimalBytes(column.Type.Precision)),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column kind."),
    };

    /// <summary>The fewest bytes whose two's complement holds every unscaled value of <paramref name="precision"/> digits.</summary>
    public static int DecimalBytes(int precision)
    {
        var max = Int128.One;
        for (var i = 0; i < precision; i++)
        {
            max *= 10;
        }

        // Values up to 10^p - 1 in magnitude, plus a sign bit.
        var bits = 128 - (int)Int128.LeadingZeroCount(max - 1) + 1;
        return (bits + 7) / 8;
    }
}
