using Ingest.Definitions;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Writing;

/// <summary>
/// The values of one column for the rows of one pending row group. A buffer keeps its arrays when it is
/// <see cref="Reset"/>, so the writer reuses it for the next row group instead of allocating large arrays
/// again; strings are copied into one character array, so a row group holds no small objects for the
/// garbage collector to trace and promote (the source strings die young).
/// </summary>
internal abstract class ColumnBuffer
{
    protected const int InitialCapacity = 1024;

    public abstract long EstimatedBytes { get; }

    public static ColumnBuffer Create(ColumnDefinition column) => column.Type.Kind switch
    {
        ColumnKind.String => new StringColumnBuffer(),
        ColumnKind.Boolean => new ValueColumnBuffer<bool>(1),
        ColumnKind.Int32 => new ValueColumnBuffer<int>(4),
        ColumnKind.Int64 => new ValueColumnBuffer<long>(8),
        ColumnKind.Float => new ValueColumnBuffer<float>(4),
        ColumnKind.Double => new ValueColumnBuffer<double>(8),
        ColumnKind.Decimal => new ValueColumnBuffer<decimal>(16),
        ColumnKind.Date => new ValueColumnBuffer<DateOnly>(4),
        ColumnKind.Timestamp => new ValueColumnBuffer<DateTime>(8),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    public abstract void Add(object? value);

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken);

    /// <summary>Empties the buffer for the next row group, keeping its arrays.</summary>
    public abstract void Reset();
}

internal sealed class ValueColumnBuffer<T>(int valueBytes) : ColumnBuffer
    where T : struct
{
    private T?[] _values = new T?[InitialCapacity];
    private int _count;

    public override long EstimatedBytes => (long)_count * (valueBytes + 1);

    public override void Add(object? value)
    {
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_count++] = value is null ? null : (T)value;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken)
        => await rowGroup.WriteAsync(field, new ReadOnlyMemory<T?>(_values, 0, _count), null, null, cancellationToken).ConfigureAwait(false);

    public override void Reset() => _count = 0;
}

internal sealed class StringColumnBuffer : ColumnBuffer
{
    private char[] _chars = new char[InitialCapacity * 16];
    private int[] _ends = new int[InitialCapacity]; // end of value i in _chars; -1 - end for a null
    private ReadOnlyMemory<char>?[] _slices = [];
    private int _count;
    private int _length;

    // Per value: its end offset, its slice when written, and two bytes per character.
    public override long EstimatedBytes => ((long)_count * 28) + ((long)_length * 2);

    public override void Add(object? value)
    {
        if (_count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        if (value is not string s)
        {
            _ends[_count++] = -1 - _length;
            return;
        }

        if (_length + s.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + s.Length));
        }

        s.CopyTo(0, _chars, _length, s.Length);
        _length += s.Length;
        _ends[_count++] = _length;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken)
    {
        if (_slices.Length < _count)
        {
            _slices = new ReadOnlyMemory<char>?[_ends.Length];
        }

        var start = 0;
        for (var i = 0; i < _count; i++)
        {
            var end = _ends[i];
            if (end < 0)
            {
                _slices[i] = null;
                start = -1 - end;
            }
            else
            {
                _slices[i] = new ReadOnlyMemory<char>(_chars, start, end - start);
                start = end;
            }
        }

        await rowGroup.WriteAsync(field, new ReadOnlyMemory<ReadOnlyMemory<char>?>(_slices, 0, _count), null, null, cancellationToken).ConfigureAwait(false);
    }

    public override void Reset()
    {
        _count = 0;
        _length = 0;
    }
}
