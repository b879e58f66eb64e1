using System.Numerics;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>
/// Parquet's value encodings that Ingest writes: the RLE / bit-packing hybrid (definition levels and
/// dictionary indices), DELTA_BINARY_PACKED (whole numbers) and bit packing (booleans).
/// </summary>
internal static class Encodings
{
    /// <summary>Values per block of DELTA_BINARY_PACKED, and miniblocks per block (32 values each).</summary>
    private const int DeltaBlockSize = 128;
    private const int DeltaMiniblocks = 4;
    private const int DeltaMiniblockSize = DeltaBlockSize / DeltaMiniblocks;

    /// <summary>The number of bits needed for values up to <paramref name="max"/> (at least 1).</summary>
    public static int BitWidth(int max) => Math.Max(1, 32 - BitOperations.LeadingZeroCount((uint)max));

    /// <summary>
    /// Writes definition levels of an optional column (1 = value present, 0 = null) in the RLE / bit-packing
    /// hybrid with bit width 1: one run when the page has no nulls (or only nulls), else bit-packed groups.
    /// </summary>
    public static void WriteDefinitionLevels(ByteBuffer output, ReadOnlySpan<byte> defined, int nulls)
    {
        var count = defined.Length;
        if (nulls == 0 || nulls == count)
        {
            output.WriteVarUInt64((ulong)count << 1);
            output.WriteByte(nulls == 0 ? (byte)1 : (byte)0);
            return;
        }

        var groups = (count + 7) / 8;
        output.WriteVarUInt64(((ulong)groups << 1) | 1);
        var bytes = output.Append(groups);
        for (var g = 0; g < groups; g++)
        {
            var start = g * 8;
            var end = Math.Min(start + 8, count);
            var b = 0;
            for (var i = start; i < end; i++)
            {
                b |= defined[i] << (i - start);
            }

            bytes[g] = (byte)b;
        }
    }

    /// <summary>
    /// Writes <paramref name="values"/> (each below 2^<paramref name="bitWidth"/>) in the RLE / bit-packing hybrid:
    /// repeats of at least eight as a run, anything else in bit-packed groups of eight.
    /// </summary>
    public static void WriteHybrid(ByteBuffer output, ReadOnlySpan<int> values, int bitWidth)
    {
        var byteWidth = (bitWidth + 7) / 8;
        var i = 0;
        var n = values.Length;
        while (i < n)
        {
            var run = RunLength(values, i);
            if (run >= 8)
            {
                output.WriteVarUInt64((ulong)run << 1);
                var v = values[i];
                for (var b = 0; b < byteWidth; b++)
                {
                    output.WriteByte((byte)(v >> (8 * b)));
                }

                i += run;
                continue;
            }

            // Bit-packed groups of eight until a run of eight starts at a group boundary (or the end).
            var start = i;
            var groups = 0;
            do
            {
                i += 8;
                groups++;
            }
            while (i < n && RunLength(values, i) < 8 && groups < 63);

            output.WriteVarUInt64(((ulong)groups << 1) | 1);
            var packed = output.Append(groups * bitWidth);
            packed.Clear();
            PackInto(packed, values[start..Math.Min(i, n)], bitWidth);
            i = Math.Min(i, n);
        }
    }

    /// <summary>Writes booleans bit-packed, least significant bit first (PLAIN encoding of BOOLEAN).</summary>
    public static void WriteBooleans(ByteBuffer output, ReadOnlySpan<bool> values)
    {
        var bytes = output.Append((values.Length + 7) / 8);
        bytes.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                bytes[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    /// <summary>
    /// DELTA_BINARY_PACKED of 32- or 64-bit integers. Deltas wrap around in the values' own width, as readers
    /// add them back, and are then widened to 64 bits for the blocks.
    /// </summary>
    public static void WriteDelta<T>(ByteBuffer output, ReadOnlySpan<T> values)
        where T : IBinaryInteger<T>
    {
        WriteDeltaHeader(output, values.Length, values.IsEmpty ? 0 : long.CreateTruncating(values[0]));
        Span<long> deltas = stackalloc long[DeltaBlockSize];
        for (var block = 1; block < values.Length; block += DeltaBlockSize)
        {
            var count = Math.Min(DeltaBlockSize, values.Length - block);
            for (var j = 0; j < count; j++)
            {
                deltas[j] = long.CreateTruncating(values[block + j] - values[block + j - 1]);
            }

            WriteDeltaBlock(output, deltas[..count]);
        }
    }

    private static void WriteDeltaHeader(ByteBuffer output, int count, long first)
    {
        output.WriteVarUInt64(DeltaBlockSize);
        output.WriteVarUInt64(DeltaMiniblocks);
        output.WriteVarUInt64((ulong)count);
        output.WriteZigZag(first);
    }

    private static void WriteDeltaBlock(ByteBuffer output, Span<long> deltas)
    {
        var min = long.MaxValue;
        foreach (var d in deltas)
        {
            min = Math.Min(min, d);
        }

        // Relative to the block's smallest delta every value is non-negative; a partial last miniblock is
        // padded with zeros to 32 values, and miniblocks after the last are absent (their width is 0).
        Span<ulong> packed = stackalloc ulong[DeltaBlockSize];
        packed.Clear();
        for (var j = 0; j < deltas.Length; j++)
        {
            packed[j] = unchecked((ulong)(deltas[j] - min));
        }

        Span<byte> widths = stackalloc byte[DeltaMiniblocks];
        for (var m = 0; m < DeltaMiniblocks; m++)
        {
            ulong or = 0;
            foreach (var v in packed.Slice(m * DeltaMiniblockSize, DeltaMiniblockSize))
            {
                or |= v;
            }

            widths[m] = (byte)(64 - BitOperations.LeadingZeroCount(or));
        }

        output.WriteZigZag(min);
        output.Write(widths);
        var miniblocks = (deltas.Length + DeltaMiniblockSize - 1) / DeltaMiniblockSize;
        for (var m = 0; m < miniblocks; m++)
        {
            var width = widths[m];
            if (width > 0)
            {
                var bytes = output.Append(DeltaMiniblockSize * width / 8);
                bytes.Clear();
                PackInto(bytes, packed.Slice(m * DeltaMiniblockSize, DeltaMiniblockSize), width);
            }
        }
    }

    private static int RunLength(ReadOnlySpan<int> values, int start)
    {
        var v = values[start];
        var end = start + 1;
        while (end < values.Length && values[end] == v)
        {
            end++;
        }

        return end - start;
    }

    /// <summary>Packs non-negative values of <paramref name="width"/> bits each, least significant bit first.</summary>
    private static void PackInto<T>(Span<byte> output, ReadOnlySpan<T> values, int width)
        where T : IBinaryInteger<T>
    {
        // Up to 56 bits a value fits a 64-bit accumulator beside the fewer than 8 bits not yet written.
        if (width <= 56)
        {
            Pack<T, ulong>(output, values, width);
        }
        else
        {
            Pack<T, UInt128>(output, values, width);
        }
    }

    private static void Pack<T, TAccumulator>(Span<byte> output, ReadOnlySpan<T> values, int width)
        where T : IBinaryInteger<T>
        where TAccumulator : IBinaryInteger<TAccumulator>, IUnsignedNumber<TAccumulator>
    {
        var acc = TAccumulator.Zero;
        var bits = 0;
        var o = 0;
        foreach (var value in values)
        {
            acc |= TAccumulator.CreateTruncating(value) << bits;
            bits += width;
            while (bits >= 8)
            {
                output[o++] = byte.CreateTruncating(acc);
                acc >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0)
        {
            output[o] = byte.CreateTruncating(acc);
        }
    }
}
