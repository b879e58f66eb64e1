using System.Buffers.Binary;
using Ingest.Definitions;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>One column's statistics over a whole Parquet file.</summary>
/// <param name="Column">The column.</param>
/// <param name="CompressedBytes">The bytes of its chunks in the file.</param>
/// <param name="Values">The values, nulls included (the rows of the file).</param>
/// <param name="Nulls">The null values.</param>
/// <param name="Min">The smallest value in PLAIN encoding, or <see langword="null"/> when unknown or every value is null.</param>
/// <param name="Max">The largest value in PLAIN encoding, or <see langword="null"/>.</param>
internal sealed record ParquetColumnStatistics(ParquetColumn Column, long CompressedBytes, long Values, long Nulls, byte[]? Min, byte[]? Max);

/// <summary>Orders PLAIN-encoded statistics values by the column's type (the TYPE_ORDER the footer declares).</summary>
internal static class ParquetStatistics
{
    public static int Compare(ParquetColumn column, byte[] a, byte[] b) => column.Physical switch
    {
        PhysicalType.Boolean => a[0].CompareTo(b[0]),
        PhysicalType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt32LittleEndian(b)),
        PhysicalType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt64LittleEndian(b)),
        PhysicalType.Float => BinaryPrimitives.ReadSingleLittleEndian(a).CompareTo(BinaryPrimitives.ReadSingleLittleEndian(b)),
        PhysicalType.Double => BinaryPrimitives.ReadDoubleLittleEndian(a).CompareTo(BinaryPrimitives.ReadDoubleLittleEndian(b)),
        // Decimals: big-endian two's complement of the same width; the sign bit first, then the bytes unsigned.
        PhysicalType.FixedLenByteArray when column.Type.Kind == ColumnKind.Decimal => CompareSigned(a, b),
        _ => a.AsSpan().SequenceCompareTo(b),
    };

    private static int CompareSigned(byte[] a, byte[] b)
    {
        var negativeA = (a[0] & 0x80) != 0;
        var negativeB = (b[0] & 0x80) != 0;
        return negativeA != negativeB ? (negativeA ? -1 : 1) : a.AsSpan().SequenceCompareTo(b);
    }
}
