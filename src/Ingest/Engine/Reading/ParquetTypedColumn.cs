using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Reading;

/// <summary>
/// One column chunk of a Parquet row group, read into a typed array that is reused from row group to row group,
/// and its values handed to a record in their physical form (<see cref="SourceRecord.AddTyped"/>).
/// </summary>
internal abstract class ParquetTypedColumn(DataField field)
{
    protected DataField Field { get; } = field;

    /// <summary>The reader of a column: typed for the common CLR types, as invariant text for the rest.</summary>
    public static ParquetTypedColumn For(DataField field)
    {
        var type = field.ClrType;
        return type switch
        {
            _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => new Strings(field),
            _ when type == typeof(int) => new Values<int>(field, TypedKind.Int32, v => v),
            _ when type == typeof(short) => new Values<short>(field, TypedKind.Int32, v => v),
            _ when type == typeof(sbyte) => new Values<sbyte>(field, TypedKind.Int32, v => v),
            _ when type == typeof(byte) => new Values<byte>(field, TypedKind.Int32, v => v),
            _ when type == typeof(ushort) => new Values<ushort>(field, TypedKind.Int32, v => v),
            _ when type == typeof(long) => new Values<long>(field, TypedKind.Int64, v => v),
            _ when type == typeof(uint) => new Values<uint>(field, TypedKind.Int64, v => v),
            _ when type == typeof(double) => new Values<double>(field, TypedKind.Double, BitConverter.DoubleToInt64Bits),
            _ when type == typeof(bool) => new Values<bool>(field, TypedKind.Boolean, v => v ? 1 : 0),
            _ when type == typeof(DateOnly) => new Values<DateOnly>(field, TypedKind.Date, v => PhysicalValue.FromDate(v)),
            _ when type == typeof(DateTime) => new Values<DateTime>(field, TypedKind.Timestamp, TypedValues.FromTimestamp),
            _ when type == typeof(decimal) => new Decimals(field),
            _ => new AsText(field),
        };
    }

    /// <summary>Reads the column chunk of <paramref name="rowGroup"/> (<paramref name="count"/> values).</summary>
    public abstract Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken);

    /// <summary>Adds the value of row <paramref name="row"/> of the chunk to <paramref name="record"/>.</summary>
    public abstract void AddTo(SourceRecord record, int row);

    private sealed class Values<T>(DataField field, TypedKind kind, Func<T, long> bits) : ParquetTypedColumn(field)
        where T : struct
    {
        private T?[] _values = [];

        public override async Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken)
        {
            if (_values.Length != count)
            {
                _values = new T?[count];
            }

            await rowGroup.ReadAsync(Field, _values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        }

        public override void AddTo(SourceRecord record, int row)
        {
            if (_values[row] is { } value)
            {
                record.AddTyped(kind, bits(value));
            }
            else
            {
                record.Add(null);
            }
        }
    }

    private sealed class Decimals(DataField field) : ParquetTypedColumn(field)
    {
        private decimal?[] _values = [];

        public override async Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken)
        {
            if (_values.Length != count)
            {
                _values = new decimal?[count];
            }

            await rowGroup.ReadAsync(Field, _values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        }

        public override void AddTo(SourceRecord record, int row)
        {
            if (_values[row] is { } value)
            {
                record.AddDecimal(value);
            }
            else
            {
                record.Add(null);
            }
        }
    }

    private sealed class Strings(DataField field) : ParquetTypedColumn(field)
    {
        private string?[] _values = [];

        public override async Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken)
        {
            if (_values.Length != count)
            {
                _values = new string?[count];
            }

            await rowGroup.ReadAsync(Field, _values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        }

        public override void AddTo(SourceRecord record, int row) => record.Add(_values[row]);
    }

    private sealed class AsText(DataField field) : ParquetTypedColumn(field)
    {
        private object?[] _values = [];

        public override async Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken)
            => _values = await ParquetColumns.ReadAsync(rowGroup, Field, cancellationToken).ConfigureAwait(false);

        public override void AddTo(SourceRecord record, int row) => record.Add(InvariantValues.Format(_values[row]));
    }
}
