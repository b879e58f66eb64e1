using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Reading;

/// <summary>
/// One column chunk of a Parquet row group, read into typed arrays that are reused from row group to row group,
/// and its values handed to a record in their physical form (<see cref="SourceRecord.AddTyped"/>), strings as
/// characters (<see cref="SourceRecord.AddSpan"/>).
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

    /// <summary>Adds the value of row <paramref name="row"/> of the chunk to <paramref name="record"/> (rows in order, each once).</summary>
    public abstract void AddTo(SourceRecord record, int row);

    /// <summary>
    /// A column chunk read raw (<see cref="ParquetRowGroupReader.ReadRawAsync{T}"/>): the values that are not null, densely,
    /// and a definition level per row, into arrays reused from row group to row group (no nullable copy of the chunk).
    /// Rows are handed over in order, each once, so the next value is the one after the last row that had one.
    /// </summary>
    private abstract class Raw<T>(DataField field) : ParquetTypedColumn(field)
        where T : struct
    {
        private T[] _values = [];
        private int[] _levels = [];
        private int _next;

        public override async Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken)
        {
            if (_values.Length < count)
            {
                _values = new T[count];
                _levels = new int[count];
            }

            Array.Clear(_values, 0, count); // no references of the previous row group kept alive
            _next = 0;
            await rowGroup.ReadRawAsync(Field, _values.AsMemory(0, count), Field.MaxDefinitionLevel > 0 ? _levels.AsMemory(0, count) : null, null, cancellationToken).ConfigureAwait(false);
        }

        public override void AddTo(SourceRecord record, int row)
        {
            if (Field.MaxDefinitionLevel > 0 && _levels[row] != Field.MaxDefinitionLevel)
            {
                record.Add(null);
                return;
            }

            Add(record, _values[_next++]);
        }

        protected abstract void Add(SourceRecord record, T value);
    }

    private sealed class Values<T>(DataField field, TypedKind kind, Func<T, long> bits) : Raw<T>(field)
        where T : struct
    {
        protected override void Add(SourceRecord record, T value) => record.AddTyped(kind, bits(value));
    }

    private sealed class Decimals(DataField field) : Raw<decimal>(field)
    {
        protected override void Add(SourceRecord record, decimal value) => record.AddDecimal(value);
    }

    /// <summary>Strings stay the reader's characters in the record (no string per value) until someone asks for one.</summary>
    private sealed class Strings(DataField field) : Raw<ReadOnlyMemory<char>>(field)
    {
        protected override void Add(SourceRecord record, ReadOnlyMemory<char> value) => record.AddSpan(value.Span);
    }

    private sealed class AsText(DataField field) : ParquetTypedColumn(field)
    {
        private object?[] _values = [];

        public override async Task LoadAsync(ParquetRowGroupReader rowGroup, int count, CancellationToken cancellationToken)
            => _values = await ParquetColumns.ReadAsync(rowGroup, Field, cancellationToken).ConfigureAwait(false);

        public override void AddTo(SourceRecord record, int row) => record.Add(InvariantValues.Format(_values[row]));
    }
}
