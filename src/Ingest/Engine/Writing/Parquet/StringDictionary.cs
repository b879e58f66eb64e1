using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>
/// The distinct values of a string column chunk and the index of each value, for dictionary encoding.
/// Entries point into the column buffer's bytes (nothing is copied); the hash table is open addressing over
/// arrays kept between chunks. Building gives up as soon as more than a fifth of the values are distinct.
/// </summary>
internal sealed class StringDictionary
{
    private const double MaxDistinctRatio = 0.2;

    private int[] _indices = [];
    private int _values;
    private int[] _slots = []; // entry + 1, 0 = empty
    private int[] _entryStart = [];
    private int[] _entryEnd = [];
    private ulong[] _entryHash = [];

    public int Count { get; private set; }

    /// <summary>Gets the dictionary index of each non-null value of the chunk.</summary>
    public ReadOnlySpan<int> Indices => _indices.AsSpan(0, _values);

    /// <summary>Builds the dictionary of <paramref name="strings"/>; false when it would not pay off.</summary>
    public bool TryBuild(BinaryColumnBuffer strings)
    {
        var values = strings.ValueCount;
        var limit = Math.Max(1, (int)(values * MaxDistinctRatio));
        Count = 0;
        if (values == 0)
        {
            return false;
        }

        if (_indices.Length < values)
        {
            _indices = new int[Math.Max(values, _indices.Length * 2)];
        }

        _values = values;

        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, limit * 2));
        if (_slots.Length != capacity)
        {
            _slots = new int[capacity];
        }
        else
        {
            Array.Clear(_slots);
        }

        if (_entryStart.Length < limit + 1)
        {
            _entryStart = new int[limit + 1];
            _entryEnd = new int[limit + 1];
            _entryHash = new ulong[limit + 1];
        }

        if (strings.SingleInstance)
        {
            // One value throughout: one entry, no hashing, and the buffer need not write out its repeats.
            Count = 1;
            (_entryStart[0], _entryEnd[0]) = (0, strings.FirstValue.Length);
            _indices.AsSpan(0, values).Clear();
            return true;
        }

        var mask = capacity - 1;
        var all = strings.Bytes;
        var ends = strings.Ends;
        var start = 0;
        for (var i = 0; i < values; i++)
        {
            var end = ends[i];
            var value = all[start..end];
            var hash = Hash(value);
            var slot = (int)hash & mask;
            while (true)
            {
                var entry = _slots[slot] - 1;
                if (entry < 0)
                {
                    if (Count == limit)
                    {
                        Count = 0;
                        return false;
                    }

                    entry = Count++;
                    (_entryStart[entry], _entryEnd[entry], _entryHash[entry]) = (start, end, hash);
                    _slots[slot] = entry + 1;
                    _indices[i] = entry;
                    break;
                }

                if (_entryHash[entry] == hash && all[_entryStart[entry].._entryEnd[entry]].SequenceEqual(value))
                {
                    _indices[i] = entry;
                    break;
                }

                slot = (slot + 1) & mask;
            }

            start = end;
        }

        return true;
    }

    /// <summary>Writes the entries in PLAIN encoding (the dictionary page's body).</summary>
    public void WritePlain(ByteBuffer output, BinaryColumnBuffer strings)
    {
        var all = Entries(strings);
        for (var e = 0; e < Count; e++)
        {
            var value = all[_entryStart[e].._entryEnd[e]];
            output.WriteInt32LittleEndian(value.Length);
            output.Write(value);
        }
    }

    public (ReadOnlyMemory<byte> Min, ReadOnlyMemory<byte> Max) MinMax(BinaryColumnBuffer strings)
    {
        var all = Entries(strings);
        var (min, max) = (0, 0);
        for (var e = 1; e < Count; e++)
        {
            var value = all[_entryStart[e].._entryEnd[e]];
            if (value.SequenceCompareTo(all[_entryStart[min].._entryEnd[min]]) < 0)
            {
                min = e;
            }

            if (value.SequenceCompareTo(all[_entryStart[max].._entryEnd[max]]) > 0)
            {
                max = e;
            }
        }

        return (all[_entryStart[min].._entryEnd[min]].ToArray(), all[_entryStart[max].._entryEnd[max]].ToArray());
    }

    /// <summary>The bytes the entries point into: the single value alone for a single-instance column.</summary>
    private static ReadOnlySpan<byte> Entries(BinaryColumnBuffer strings) => strings.SingleInstance ? strings.FirstValue : strings.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ReadOnlySpan<byte> value)
    {
        var h = 0x9E3779B97F4A7C15UL * (ulong)(value.Length + 1);
        while (value.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(value)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            value = value[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < value.Length; i++)
        {
            tail |= (ulong)value[i] << (8 * i);
        }

        h = (h ^ tail) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
