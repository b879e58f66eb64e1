using System.Buffers;
using Ingest.Definitions;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Writing;

/// <summary>
/// The values of one column for the rows of one pending row group. The arrays come from
/// <see cref="ArrayPool{T}.Shared"/> and go back to it in <see cref="Release"/>, so that row group after row
/// group reuses the same large arrays instead of allocating them on the large object heap each time.
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

    /// <summary>Returns the array to the pool; the buffer must not be used afterwards.</summary>
    public abstract void Release();

    protected static TItem[] Grow<TItem>(TItem[] values, int count)
    {
        var bigger = ArrayPool<TItem>.Shared.Rent(Math.Max(InitialCapacity, values.Length * 2));
        Array.Copy(values, bigger, count);
        Return(values, count);
        return bigger;
    }

    protected static void Return<TItem>(TItem[] values, int count)
    {
        if (values.Length > 0)
        {
            // References must not outlive the row group in the pool; plain values need no clearing.
            if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TItem>())
            {
                Array.Clear(values, 0, count);
            }

            ArrayPool<TItem>.Shared.Return(values);
        }
    }
}

internal sealed class ValueColumnBuffer<T>(int valueBytes) : ColumnBuffer
    where T : struct
{
    private T?[] _values = [];
    private int _count;

    public override long EstimatedBytes => (long)_count * (valueBytes + 1);

    public override void Add(object? value)
    {
        if (_count == _values.Length)
        {
            _values = Grow(_values, _count);
        }

        _values[_count++] = value is null ? null : (T)value;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken)
        => await rowGroup.WriteAsync(field, new ReadOnlyMemory<T?>(_values, 0, _count), null, null, cancellationToken).ConfigureAwait(false);

    public override void Release()
    {
        Return(_values, _count);
        _values = [];
        _count = 0;
    }
}

internal sealed class StringColumnBuffer : ColumnBuffer
{
    private ReadOnlyMemory<char>?[] _values = [];
    private int _count;
    private long _bytes;

    public override long EstimatedBytes => _bytes;

    public override void Add(object? value)
    {
        if (_count == _values.Length)
        {
            _values = Grow(_values, _count);
        }

        var s = (string?)value;
        _values[_count++] = s?.AsMemory();
        // The slot (a string reference and its bounds), and for a string its object header, length and UTF-16 characters.
        _bytes += s is null ? 24 : 24 + 24 + (s.Length * 2);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken)
        => await rowGroup.WriteAsync(field, new ReadOnlyMemory<ReadOnlyMemory<char>?>(_values, 0, _count), null, null, cancellationToken).ConfigureAwait(false);

    public override void Release()
    {
        Return(_values, _count);
        _values = [];
        _count = 0;
        _bytes = 0;
    }
}
