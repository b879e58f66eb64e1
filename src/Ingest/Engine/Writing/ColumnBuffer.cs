using System.Runtime.CompilerServices;
using System.Text;
using Ingest.Definitions;
using Ingest.Engine.Conversion;

namespace Ingest.Engine.Writing;

/// <summary>
/// The values of one column for the rows of one pending row group, already in their Parquet physical form
/// (days since the epoch, microseconds since the epoch, unscaled decimals, UTF-8 bytes): a definition flag
/// per row and the non-null values packed densely, as Parquet stores them. A buffer keeps its arrays when it
/// is <see cref="Reset"/>, so the writer reuses it for the next row group instead of allocating large arrays
/// again, and it holds no small objects for the garbage collector to trace.
/// </summary>
internal abstract class ColumnBuffer
{
    protected const int InitialCapacity = 1024;

    private byte[] _defined = new byte[InitialCapacity];

    /// <summary>Gets the number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the number of null values.</summary>
    public int NullCount { get; private set; }

    /// <summary>Gets 1 for each row with a value, 0 for a null.</summary>
    public ReadOnlySpan<byte> Defined => _defined.AsSpan(0, Count);

    public abstract long EstimatedBytes { get; }

    public static ColumnBuffer Create(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.String => new BinaryColumnBuffer(),
        ColumnKind.Boolean => new FixedColumnBuffer<bool>(static v => (bool)v),
        ColumnKind.Int32 => new FixedColumnBuffer<int>(static v => (int)v),
        ColumnKind.Int64 => new FixedColumnBuffer<long>(static v => (long)v),
        ColumnKind.Float => new FixedColumnBuffer<float>(static v => (float)v),
        ColumnKind.Double => new FixedColumnBuffer<double>(static v => (double)v),
        ColumnKind.Decimal when column.Type.Precision <= 18 => new FixedColumnBuffer<long>(v => checked((long)Unscaled((decimal)v, column.Type.Scale))),
        ColumnKind.Decimal => new FixedColumnBuffer<Int128>(v => Unscaled((decimal)v, column.Type.Scale)),
        ColumnKind.Date => new FixedColumnBuffer<int>(static v => PhysicalValue.FromDate((DateOnly)v)),
        ColumnKind.Timestamp => new FixedColumnBuffer<long>(static v => PhysicalValue.FromTimestamp((DateTime)v)),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    public abstract void Add(object? value);

    /// <summary>
    /// Adds a value given in its physical form (<see cref="PhysicalValue"/>), without a box. Only columns whose
    /// physical value fits a <see cref="long"/> take this path (<see cref="PhysicalValue.Supports"/>).
    /// </summary>
    public virtual void AddPhysical(long bits, char[]? characters) => throw new NotSupportedException($"{GetType().Name} takes no physical values.");

    /// <summary>Empties the buffer for the next row group, keeping its arrays.</summary>
    public virtual void Reset()
    {
        Count = 0;
        NullCount = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void AddDefinition(bool present)
    {
        if (Count == _defined.Length)
        {
            Array.Resize(ref _defined, _defined.Length * 2);
        }

        _defined[Count++] = present ? (byte)1 : (byte)0;
        NullCount += present ? 0 : 1;
    }

    /// <summary>The unscaled integer of <paramref name="value"/> at <paramref name="scale"/> decimal places (rounded half to even).</summary>
    internal static Int128 Unscaled(decimal value, int scale)
    {
        if (value.Scale > scale)
        {
            value = decimal.Round(value, scale, MidpointRounding.ToEven);
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        for (var s = value.Scale; s < scale; s++)
        {
            mantissa *= 10;
        }

        return (bits[3] & int.MinValue) != 0 ? -mantissa : mantissa;
    }
}

/// <summary>A column of fixed-width values (numbers, booleans, dates, timestamps, decimals).</summary>
internal sealed class FixedColumnBuffer<T>(Func<object, T> convert) : ColumnBuffer
    where T : unmanaged
{
    private T[] _values = new T[InitialCapacity];
    private int _valueCount;

    public ReadOnlySpan<T> Values => _values.AsSpan(0, _valueCount);

    public override long EstimatedBytes => ((long)_valueCount * Unsafe.SizeOf<T>()) + Count;

    public override void Add(object? value)
    {
        if (value is null)
        {
            AddDefinition(false);
            return;
        }

        Store(convert(value));
    }

    public override void AddPhysical(long bits, char[]? characters)
    {
        // The physical value's low bytes are the T (int: days, whole numbers; double: its bits; bool: 0 or 1).
        if (Unsafe.SizeOf<T>() > sizeof(long))
        {
            base.AddPhysical(bits, characters);
        }

        Store(Unsafe.As<long, T>(ref bits));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(T value)
    {
        AddDefinition(true);
        if (_valueCount == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_valueCount++] = value;
    }

    public override void Reset()
    {
        base.Reset();
        _valueCount = 0;
    }
}

/// <summary>A column of strings, kept as UTF-8 bytes one after the other with the end of each.</summary>
internal sealed class BinaryColumnBuffer : ColumnBuffer
{
    private byte[] _bytes = new byte[InitialCapacity * 16];
    private int[] _ends = new int[InitialCapacity];
    private int _valueCount;
    private int _length;
    private string? _previous;

    // While every value is one instance (a lineage column), its repeats are only counted: the dictionary needs
    // the value once. Reading all values (Bytes, Ends) or adding another value writes the repeats out first.
    private int _repeats;

    /// <summary>Gets the UTF-8 bytes of all values, one after the other.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            WriteRepeats();
            return _bytes.AsSpan(0, _length);
        }
    }

    /// <summary>Gets the end offset in <see cref="Bytes"/> of each value (the start is the previous end).</summary>
    public ReadOnlySpan<int> Ends
    {
        get
        {
            WriteRepeats();
            return _ends.AsSpan(0, _valueCount);
        }
    }

    /// <summary>Gets the bytes of the first value (all of them, with <see cref="SingleInstance"/>), without writing out repeats.</summary>
    public ReadOnlySpan<byte> FirstValue => _valueCount == 0 ? default : _bytes.AsSpan(0, _ends[0]);

    public int ValueCount => _valueCount;

    /// <summary>Gets whether every value is the same string instance (a lineage column: the run id, the input name).</summary>
    public bool SingleInstance { get; private set; }

    public override long EstimatedBytes => ((long)_valueCount * 4) + _length + Count;

    /// <summary>Adds a string given as characters (<see cref="PhysicalValue.FromRange"/>), without making a <see cref="string"/>.</summary>
    public override void AddPhysical(long bits, char[]? characters)
    {
        var chars = PhysicalValue.Characters(bits, characters!);
        AddDefinition(true);
        WriteRepeats();
        Reserve(chars.Length);
        _length += Encoding.UTF8.GetBytes(chars, _bytes.AsSpan(_length));
        SingleInstance = _valueCount == 0;
        _previous = null;
        _ends[_valueCount++] = _length;
    }

    public override void Add(object? value)
    {
        AddDefinition(value is not null);
        if (value is not string s)
        {
            return;
        }

        var repeat = ReferenceEquals(s, _previous) && _valueCount > 0;
        if (repeat && SingleInstance)
        {
            _valueCount++;
            _repeats++;
            return;
        }

        WriteRepeats();
        Reserve(s.Length);
        if (repeat)
        {
            // The same instance again (a code the reader interned): copy its bytes.
            var start = _valueCount > 1 ? _ends[_valueCount - 2] : 0;
            var previous = _bytes.AsSpan(start, _ends[_valueCount - 1] - start);
            previous.CopyTo(_bytes.AsSpan(_length));
            _length += previous.Length;
        }
        else
        {
            _length += Encoding.UTF8.GetBytes(s, _bytes.AsSpan(_length));
            SingleInstance = _valueCount == 0;
            _previous = s;
        }

        _ends[_valueCount++] = _length;
    }

    public override void Reset()
    {
        base.Reset();
        _valueCount = 0;
        _length = 0;
        _repeats = 0;
        _previous = null;
    }

    private void WriteRepeats()
    {
        if (_repeats == 0)
        {
            return;
        }

        var first = _ends[0];
        var written = _valueCount - _repeats;
        if (_valueCount > _ends.Length)
        {
            Array.Resize(ref _ends, Math.Max(_valueCount, _ends.Length * 2));
        }

        var needed = (long)first * _valueCount;
        if (needed > _bytes.Length)
        {
            Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_bytes.Length * 2)));
        }

        for (var i = written; i < _valueCount; i++)
        {
            _bytes.AsSpan(0, first).CopyTo(_bytes.AsSpan(_length));
            _length += first;
            _ends[i] = _length;
        }

        _repeats = 0;
    }

    private void Reserve(int chars)
    {
        if (_valueCount == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        var max = Encoding.UTF8.GetMaxByteCount(chars);
        if (_length + max > _bytes.Length)
        {
            Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max((long)_bytes.Length * 2, (long)_length + max)));
        }
    }
}
