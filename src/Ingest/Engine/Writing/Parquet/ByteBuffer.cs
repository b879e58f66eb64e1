using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>
/// A growable byte array that keeps its storage when <see cref="Clear"/>ed, so the encoder reuses the same
/// arrays for every page, column chunk and file of a run instead of allocating them again.
/// </summary>
internal sealed class ByteBuffer
{
    private byte[] _data;

    public ByteBuffer(int capacity = 1 << 12) => _data = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _data.AsMemory(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Returns a span of <paramref name="size"/> writable bytes at the end, then counted as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Append(int size)
    {
        if (Length + size > _data.Length)
        {
            Grow(size);
        }

        var span = _data.AsSpan(Length, size);
        Length += size;
        return span;
    }

    /// <summary>Returns the free space at the end (at least <paramref name="size"/> bytes) without counting it.</summary>
    public Span<byte> Reserve(int size)
    {
        if (Length + size > _data.Length)
        {
            Grow(size);
        }

        return _data.AsSpan(Length);
    }

    /// <summary>Counts <paramref name="size"/> bytes written into the span of <see cref="Reserve"/> as written.</summary>
    public void Advance(int size) => Length += size;

    public void Truncate(int length) => Length = length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (Length == _data.Length)
        {
            Grow(1);
        }

        _data[Length++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Append(bytes.Length));

    public void WriteInt32LittleEndian(int value) => BinaryPrimitives.WriteInt32LittleEndian(Append(4), value);

    public void WriteInt32LittleEndianAt(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(offset, 4), value);

    /// <summary>Writes an unsigned LEB128 variable-length integer (as Thrift's compact protocol and Parquet's encodings do).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarUInt64(ulong value)
    {
        if (Length + 10 > _data.Length)
        {
            Grow(10);
        }

        var data = _data;
        var i = Length;
        while (value >= 0x80)
        {
            data[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        data[i++] = (byte)value;
        Length = i;
    }

    public void WriteZigZag(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    private void Grow(int size)
    {
        var capacity = Math.Max(_data.Length * 2, Length + size);
        Array.Resize(ref _data, (int)Math.Min(capacity, Array.MaxLength));
    }
}
