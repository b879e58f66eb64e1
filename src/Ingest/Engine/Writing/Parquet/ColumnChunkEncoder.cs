using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using Ingest.Definitions;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>What the footer records of one encoded column chunk (offsets relative to the chunk's start).</summary>
internal sealed record ColumnChunkInfo(
    int[] Encodings,
    long Values,
    long UncompressedBytes,
    long CompressedBytes,
    long DataPageOffset,
    long? DictionaryPageOffset,
    long NullCount,
    byte[]? Min,
    byte[]? Max);

/// <summary>
/// Encodes the values of a <see cref="ColumnBuffer"/> into one column chunk: an optional dictionary page and
/// data pages (v1) of about a mebibyte each, every page compressed on its own. Keeps its scratch buffers
/// between chunks; one instance serves one thread at a time.
/// </summary>
internal sealed class ColumnChunkEncoder
{
    private const int TargetPageBytes = 1 << 20;
    private const int MaxStatisticsBytes = 64;

    // Values of the format's Encoding, PageType and codec enums.
    private const int Plain = 0;
    private const int Rle = 3;
    private const int DeltaBinaryPacked = 5;
    private const int RleDictionary = 8;
    private const int DataPage = 0;
    private const int DictionaryPage = 2;

    private readonly ByteBuffer _page = new(1 << 16);
    private readonly ByteBuffer _compressed = new(1 << 16);
    private readonly ByteBuffer _header = new(256);
    private readonly ThriftCompactWriter _thrift;
    private readonly ParquetCompression _compression;
    private readonly StringDictionary _dictionary = new();
    private ZstdSharp.Compressor? _zstd;

    public ColumnChunkEncoder(ParquetCompression compression)
    {
        _compression = compression;
        _thrift = new ThriftCompactWriter(_header);
    }

    /// <summary>Gets the bytes of the chunk encoded last.</summary>
    public ByteBuffer Chunk { get; } = new(1 << 20);

    /// <summary>Gets the codec number written to the footer.</summary>
    public int Codec => _compression switch
    {
        ParquetCompression.Snappy => 1,
        ParquetCompression.Gzip => 2,
        ParquetCompression.Zstd => 6,
        _ => 0,
    };

    public ColumnChunkInfo Encode(ParquetColumn column, ColumnBuffer buffer)
    {
        Chunk.Clear();
        var rows = buffer.Count;
        long uncompressed = 0;
        long? dictionaryOffset = null;
        var useDictionary = column.TryDictionary && _dictionary.TryBuild((BinaryColumnBuffer)buffer);
        if (useDictionary)
        {
            dictionaryOffset = 0;
            _page.Clear();
            _dictionary.WritePlain(_page, (BinaryColumnBuffer)buffer);
            uncompressed += WritePage(DictionaryPage, _dictionary.Count, Plain);
        }

        var dataPageOffset = (long)Chunk.Length;
        var encoding = useDictionary ? RleDictionary : column.Delta ? DeltaBinaryPacked : Plain;
        var bytesPerRow = Math.Max(1, buffer.EstimatedBytes / Math.Max(1, rows));
        var rowsPerPage = (int)Math.Clamp(TargetPageBytes / bytesPerRow, 1024, Math.Max(1024, rows));
        var valueStart = 0;
        for (var first = 0; first < rows; first += rowsPerPage)
        {
            var defined = buffer.Defined[first..Math.Min(rows, first + rowsPerPage)];
            var nulls = defined.Count((byte)0);
            var values = defined.Length - nulls;
            _page.Clear();
            var lengthAt = _page.Length;
            _page.Append(4);
            Encodings.WriteDefinitionLevels(_page, defined, nulls);
            _page.WriteInt32LittleEndianAt(lengthAt, _page.Length - lengthAt - 4);
            if (useDictionary)
            {
                var width = Encodings.BitWidth(_dictionary.Count - 1);
                _page.WriteByte((byte)width);
                Encodings.WriteHybrid(_page, _dictionary.Indices.Slice(valueStart, values), width);
            }
            else
            {
                WriteValues(column, buffer, valueStart, values);
            }

            uncompressed += WritePage(DataPage, defined.Length, encoding);
            valueStart += values;
        }

        var (min, max) = Statistics(column, buffer, useDictionary);
        int[] encodings = useDictionary ? [Plain, Rle, RleDictionary] : [encoding, Rle];
        return new ColumnChunkInfo(encodings, rows, uncompressed, Chunk.Length, dataPageOffset, dictionaryOffset, buffer.NullCount, min, max);
    }

    private void WriteValues(ParquetColumn column, ColumnBuffer buffer, int start, int count)
    {
        switch (buffer)
        {
            case FixedColumnBuffer<bool> booleans:
                Encodings.WriteBooleans(_page, booleans.Values.Slice(start, count));
                break;
            case FixedColumnBuffer<int> ints when column.Delta:
                Encodings.WriteDelta(_page, ints.Values.Slice(start, count));
                break;
            case FixedColumnBuffer<int> ints:
                _page.Write(MemoryMarshal.AsBytes(ints.Values.Slice(start, count)));
                break;
            case FixedColumnBuffer<long> longs when column.Physical == PhysicalType.FixedLenByteArray:
                WriteFixedDecimals(_page, longs.Values.Slice(start, count), column.TypeLength);
                break;
            case FixedColumnBuffer<long> longs when column.Delta:
                Encodings.WriteDelta(_page, longs.Values.Slice(start, count));
                break;
            case FixedColumnBuffer<long> longs:
                _page.Write(MemoryMarshal.AsBytes(longs.Values.Slice(start, count)));
                break;
            case FixedColumnBuffer<Int128> wide:
                var bytes = _page.Append(count * column.TypeLength);
                for (var i = 0; i < count; i++)
                {
                    BigEndian(wide.Values[start + i], bytes.Slice(i * column.TypeLength, column.TypeLength));
                }

                break;
            case FixedColumnBuffer<float> floats:
                _page.Write(MemoryMarshal.AsBytes(floats.Values.Slice(start, count)));
                break;
            case FixedColumnBuffer<double> doubles:
                _page.Write(MemoryMarshal.AsBytes(doubles.Values.Slice(start, count)));
                break;
            case BinaryColumnBuffer strings:
                var all = strings.Bytes;
                var ends = strings.Ends;
                for (var i = start; i < start + count; i++)
                {
                    var begin = i == 0 ? 0 : ends[i - 1];
                    var value = all[begin..ends[i]];
                    _page.WriteInt32LittleEndian(value.Length);
                    _page.Write(value);
                }

                break;
            default:
                throw new InvalidOperationException($"No Parquet encoding for a buffer of {buffer.GetType().Name}.");
        }
    }

    private static void WriteFixedDecimals(ByteBuffer output, ReadOnlySpan<long> values, int length)
    {
        var bytes = output.Append(values.Length * length);
        Span<byte> full = stackalloc byte[8];
        for (var i = 0; i < values.Length; i++)
        {
            if (length == 8)
            {
                BinaryPrimitives.WriteInt64BigEndian(bytes.Slice(i * 8, 8), values[i]);
            }
            else
            {
                BinaryPrimitives.WriteInt64BigEndian(full, values[i]);
                full[(8 - length)..].CopyTo(bytes.Slice(i * length, length));
            }
        }
    }

    private static void BigEndian(Int128 value, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[16];
        BinaryPrimitives.WriteInt128BigEndian(full, value);
        full[(16 - destination.Length)..].CopyTo(destination);
    }

    /// <summary>Compresses <see cref="_page"/> and appends it with its header to the chunk; returns its uncompressed size with the header.</summary>
    private long WritePage(int type, int values, int encoding)
    {
        var body = Compress(_page.Span);
        _header.Clear();
        var thrift = _thrift;
        thrift.BeginStruct();
        thrift.FieldI32(1, type);
        thrift.FieldI32(2, _page.Length);
        thrift.FieldI32(3, body.Length);
        if (type == DictionaryPage)
        {
            thrift.FieldStruct(7);
            thrift.FieldI32(1, values);
            thrift.FieldI32(2, Plain);
            thrift.EndStruct();
        }
        else
        {
            thrift.FieldStruct(5);
            thrift.FieldI32(1, values);
            thrift.FieldI32(2, encoding);
            thrift.FieldI32(3, Rle);
            thrift.FieldI32(4, Rle);
            thrift.EndStruct();
        }

        thrift.EndStruct();
        Chunk.Write(_header.Span);
        Chunk.Write(body);
        return _header.Length + _page.Length;
    }

    private ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> input)
    {
        _compressed.Clear();
        switch (_compression)
        {
            case ParquetCompression.Snappy:
                {
                    var output = _compressed.Reserve(Snappier.Snappy.GetMaxCompressedLength(input.Length));
                    if (!Snappier.Snappy.TryCompress(input, output, out var written))
                    {
                        throw new InvalidOperationException("Snappy compression failed.");
                    }

                    _compressed.Advance(written);
                    return _compressed.Span;
                }

            case ParquetCompression.Zstd:
                {
                    _zstd ??= new ZstdSharp.Compressor(3);
                    var output = _compressed.Reserve(ZstdSharp.Compressor.GetCompressBound(input.Length));
                    _compressed.Advance(_zstd.Wrap(input, output));
                    return _compressed.Span;
                }

            case ParquetCompression.Gzip:
                {
                    using var stream = new MemoryStream();
                    using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
                    {
                        gzip.Write(input);
                    }

                    _compressed.Write(stream.GetBuffer().AsSpan(0, (int)stream.Length));
                    return _compressed.Span;
                }

            default:
                return input;
        }
    }

    /// <summary>The chunk's smallest and largest values in PLAIN encoding (none when every value is null or a string is long).</summary>
    private (byte[]? Min, byte[]? Max) Statistics(ParquetColumn column, ColumnBuffer buffer, bool dictionary)
    {
        switch (buffer)
        {
            case FixedColumnBuffer<bool> booleans when !booleans.Values.IsEmpty:
                var anyTrue = booleans.Values.Contains(true);
                var anyFalse = booleans.Values.Contains(false);
                return ([anyFalse ? (byte)0 : (byte)1], [anyTrue ? (byte)1 : (byte)0]);
            case FixedColumnBuffer<int> ints when !ints.Values.IsEmpty:
                var (imin, imax) = MinMax(ints.Values);
                return (LittleEndian(imin), LittleEndian(imax));
            case FixedColumnBuffer<long> longs when !longs.Values.IsEmpty:
                var (lmin, lmax) = MinMax(longs.Values);
                if (column.Physical == PhysicalType.FixedLenByteArray)
                {
                    return (BigEndianBytes(lmin, column.TypeLength), BigEndianBytes(lmax, column.TypeLength));
                }

                return (LittleEndian(lmin), LittleEndian(lmax));
            case FixedColumnBuffer<Int128> wide when !wide.Values.IsEmpty:
                var (wmin, wmax) = MinMax(wide.Values);
                byte[] wminBytes = new byte[column.TypeLength], wmaxBytes = new byte[column.TypeLength];
                BigEndian(wmin, wminBytes);
                BigEndian(wmax, wmaxBytes);
                return (wminBytes, wmaxBytes);
            case FixedColumnBuffer<float> floats:
                var (fmin, fmax) = FloatingMinMax(floats.Values);
                return fmin is null ? (null, null) : (LittleEndian(fmin.Value), LittleEndian(fmax!.Value));
            case FixedColumnBuffer<double> doubles:
                var (dmin, dmax) = FloatingMinMax(doubles.Values);
                return dmin is null ? (null, null) : (LittleEndian(dmin.Value), LittleEndian(dmax!.Value));
            case BinaryColumnBuffer strings when strings.ValueCount > 0:
                var (smin, smax) = dictionary ? _dictionary.MinMax(strings) : StringMinMax(strings);
                return smin.Length > MaxStatisticsBytes || smax.Length > MaxStatisticsBytes ? (null, null) : (smin.ToArray(), smax.ToArray());
            default:
                return (null, null);
        }
    }

    private static (T Min, T Max) MinMax<T>(ReadOnlySpan<T> values)
        where T : INumber<T>
    {
        var min = values[0];
        var max = values[0];
        foreach (var v in values)
        {
            min = T.Min(min, v);
            max = T.Max(max, v);
        }

        return (min, max);
    }

    /// <summary>Min and max ignoring NaN; a zero minimum is written as -0 and a zero maximum as +0, as the format asks.</summary>
    private static (T? Min, T? Max) FloatingMinMax<T>(ReadOnlySpan<T> values)
        where T : struct, IFloatingPointIeee754<T>
    {
        T? min = null, max = null;
        foreach (var v in values)
        {
            if (T.IsNaN(v))
            {
                continue;
            }

            min = min is null || v < min.Value ? v : min;
            max = max is null || v > max.Value ? v : max;
        }

        if (min is { } lo && T.IsZero(lo))
        {
            min = T.NegativeZero;
        }

        if (max is { } hi && T.IsZero(hi))
        {
            max = T.Zero;
        }

        return (min, max);
    }

    private static (ReadOnlyMemory<byte> Min, ReadOnlyMemory<byte> Max) StringMinMax(BinaryColumnBuffer strings)
    {
        var all = strings.Bytes;
        var ends = strings.Ends;
        var (minStart, minEnd, maxStart, maxEnd) = (0, ends[0], 0, ends[0]);
        var minPrefix = Prefix(all[..ends[0]]);
        var maxPrefix = minPrefix;
        for (var i = 1; i < ends.Length; i++)
        {
            // Unsigned byte order; the first eight bytes decide most comparisons without a call.
            var value = all[ends[i - 1]..ends[i]];
            var prefix = Prefix(value);
            if (prefix < minPrefix || (prefix == minPrefix && value.SequenceCompareTo(all[minStart..minEnd]) < 0))
            {
                (minStart, minEnd, minPrefix) = (ends[i - 1], ends[i], prefix);
            }

            if (prefix > maxPrefix || (prefix == maxPrefix && value.SequenceCompareTo(all[maxStart..maxEnd]) > 0))
            {
                (maxStart, maxEnd, maxPrefix) = (ends[i - 1], ends[i], prefix);
            }
        }

        return (all[minStart..minEnd].ToArray(), all[maxStart..maxEnd].ToArray());
    }

    /// <summary>The first eight bytes as a big-endian number (zeros after a shorter value): ordered as the bytes are.</summary>
    private static ulong Prefix(ReadOnlySpan<byte> value)
    {
        if (value.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(value);
        }

        ulong prefix = 0;
        for (var i = 0; i < value.Length; i++)
        {
            prefix |= (ulong)value[i] << (56 - (8 * i));
        }

        return prefix;
    }

    private static byte[] LittleEndian<T>(T value)
        where T : unmanaged
        => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    private static byte[] BigEndianBytes(long value, int length)
    {
        Span<byte> full = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(full, value);
        return full[(8 - length)..].ToArray();
    }
}
