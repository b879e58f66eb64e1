using Ingest.Definitions;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Writing;

/// <summary>The values of one column for the rows of one pending row group.</summary>
internal abstract class ColumnBuffer
{
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
}

internal sealed class ValueColumnBuffer<T>(int valueBytes) : ColumnBuffer
    where T : struct
{
    private T?[] _values = new T?[1024];
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

}

internal sealed class StringColumnBuffer : ColumnBuffer
{
    private readonly List<string?> _values = new(1024);
    private long _bytes;

    public override long EstimatedBytes => _bytes;

    public override void Add(object? value)
    {
        var s = (string?)value;
        _values.Add(s);
        // A reference, and for a string its object header, length and UTF-16 characters.
        _bytes += s is null ? 8 : 8 + 24 + (s.Length * 2);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken)
        => await rowGroup.WriteAsync(field, _values, null).ConfigureAwait(false);

}
