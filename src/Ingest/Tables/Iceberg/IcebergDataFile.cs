using System.Buffers.Binary;
using System.Numerics;

namespace Ingest.Tables.Iceberg;

/// <summary>Reads and writes the files of an Iceberg table by location (absolute, as the metadata records it).</summary>
internal interface IIcebergFileIO
{
    Task WriteAsync(string location, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string location, CancellationToken cancellationToken);
}

/// <summary>
/// A data file as a manifest records it. <see cref="Partition"/> holds the values in spec field order: int for day,
/// month and year (days, months, years since 1970-01-01) and for int and date identity fields (days), long for long and
/// timestamp identity fields (microseconds), string, bool. Bounds are in Iceberg's single-value binary encoding.
/// </summary>
internal sealed record IcebergDataFile
{
    public required string FilePath { get; init; }

    public string FileFormat { get; init; } = "PARQUET";

    public required long RecordCount { get; init; }

    public required long FileSizeInBytes { get; init; }

    public IReadOnlyList<object?> Partition { get; init; } = [];

    public IReadOnlyDictionary<int, long>? ColumnSizes { get; init; }

    public IReadOnlyDictionary<int, long>? ValueCounts { get; init; }

    public IReadOnlyDictionary<int, long>? NullValueCounts { get; init; }

    public IReadOnlyDictionary<int, byte[]>? LowerBounds { get; init; }

    public IReadOnlyDictionary<int, byte[]>? UpperBounds { get; init; }
}

/// <summary>A manifest entry: a data file with its status (0 existing, 1 added, 2 deleted) and the snapshot and sequence numbers that added it.</summary>
internal sealed record IcebergManifestEntry(int Status, long? SnapshotId, long? SequenceNumber, long? FileSequenceNumber, IcebergDataFile File);

/// <summary>A manifest list entry.</summary>
internal sealed record IcebergManifestFile
{
    public required string ManifestPath { get; init; }

    public required long ManifestLength { get; init; }

    public int PartitionSpecId { get; init; }

    public long SequenceNumber { get; init; }

    public long MinSequenceNumber { get; init; }

    public long AddedSnapshotId { get; init; }

    public int AddedFilesCount { get; init; }

    public int ExistingFilesCount { get; init; }

    public int DeletedFilesCount { get; init; }

    public long AddedRowsCount { get; init; }

    public long ExistingRowsCount { get; init; }

    public long DeletedRowsCount { get; init; }

    /// <summary>Per partition field: whether a null was seen, and the smallest and largest values (binary encoding).</summary>
    public IReadOnlyList<(bool ContainsNull, byte[]? Lower, byte[]? Upper)> Partitions { get; init; } = [];
}

/// <summary>Iceberg's single-value binary serialization (the spec's Appendix D), used for bounds.</summary>
internal static class IcebergValues
{
    public static byte[] ToBinary(IcebergType type, object value)
    {
        switch (type.Name)
        {
            case "boolean":
                return [(bool)value ? (byte)1 : (byte)0];
            case "int" or "date":
                var i = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(i, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
                return i;
            case "long" or "timestamp" or "timestamptz":
                var l = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(l, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                return l;
            case "float":
                var f = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(f, (float)value);
                return f;
            case "double":
                var d = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(d, (double)value);
                return d;
            case "string":
                return System.Text.Encoding.UTF8.GetBytes((string)value);
            default:
                if (type.IsDecimal)
                {
                    var (_, scale) = type.DecimalParts;
                    var unscaled = new BigInteger(decimal.Round((decimal)value * Pow10(scale)));
                    return unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
                }

                throw new NotSupportedException($"No binary form for Iceberg type {type}.");
        }
    }

    public static object FromBinary(IcebergType type, byte[] bytes) => type.Name switch
    {
        "boolean" => bytes[0] != 0,
        "int" or "date" => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        "long" or "timestamp" or "timestamptz" => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        "float" => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        "double" => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        "string" => System.Text.Encoding.UTF8.GetString(bytes),
        _ when type.IsDecimal => (decimal)new BigInteger(bytes, isUnsigned: false, isBigEndian: true) / Pow10(type.DecimalParts.Scale),
        _ => throw new NotSupportedException($"No binary form for Iceberg type {type}."),
    };

    /// <summary>A Parquet FIXED_LEN_BYTE_ARRAY decimal (big-endian two's complement of a fixed width) in Iceberg's minimal width.</summary>
    public static byte[] DecimalFromFixed(byte[] fixedWidth)
        => new BigInteger(fixedWidth, isUnsigned: false, isBigEndian: true).ToByteArray(isUnsigned: false, isBigEndian: true);

    private static decimal Pow10(int scale)
    {
        var result = 1m;
        for (var i = 0; i < scale; i++)
        {
            result *= 10;
        }

        return result;
    }
}
