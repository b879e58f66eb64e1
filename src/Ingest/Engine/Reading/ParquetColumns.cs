using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Reading;

/// <summary>Reads whole columns of a row group as boxed CLR values, whatever their physical type.</summary>
internal static class ParquetColumns
{
    public static ParquetOptions ReadOptions { get; } = new() { UseDateOnlyTypeForDates = true, TreatByteArrayAsString = true };

    public static async Task<object?[]> ReadAsync(ParquetRowGroupReader rowGroup, DataField field, CancellationToken cancellationToken)
    {
        var count = checked((int)rowGroup.RowCount);
        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[count];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return [.. values];
        }

        return type switch
        {
            _ when type == typeof(bool) => await ReadValuesAsync<bool>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(sbyte) => await ReadValuesAsync<sbyte>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(byte) => await ReadValuesAsync<byte>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(short) => await ReadValuesAsync<short>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ushort) => await ReadValuesAsync<ushort>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(int) => await ReadValuesAsync<int>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(uint) => await ReadValuesAsync<uint>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(long) => await ReadValuesAsync<long>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ulong) => await ReadValuesAsync<ulong>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(float) => await ReadValuesAsync<float>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(double) => await ReadValuesAsync<double>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(decimal) => await ReadValuesAsync<decimal>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateTime) => await ReadValuesAsync<DateTime>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateOnly) => await ReadValuesAsync<DateOnly>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(TimeSpan) => await ReadValuesAsync<TimeSpan>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(TimeOnly) => await ReadValuesAsync<TimeOnly>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(Guid) => await ReadValuesAsync<Guid>(rowGroup, field, count, cancellationToken).ConfigureAwait(false),
            _ => throw new NotSupportedException($"Parquet column '{field.Name}' has CLR type {type.Name}, which Ingest cannot read."),
        };
    }

    private static async Task<object?[]> ReadValuesAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T?[count];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        var boxed = new object?[count];
        for (var i = 0; i < count; i++)
        {
            boxed[i] = values[i];
        }

        return boxed;
    }
}
