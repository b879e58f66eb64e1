using Ingest.Database.Mapping;
using Ingest.Definitions;
using Npgsql;
using NpgsqlTypes;

namespace Ingest.Database.Extraction;

/// <summary>Converts a provider value to a schema column's value; returns <see langword="null"/> or why it does not fit (as <see cref="ValueMapper.TryConvert"/>).</summary>
internal delegate string? CopyConverter<TNative, TValue>(TNative native, out TValue value);

/// <summary>One field of a binary COPY: reads the current row's value and stores it, converted, into the batch's array of its column.</summary>
internal abstract class CopyColumn
{
    /// <summary>Gets the value read last, boxed (for messages only), or <see langword="null"/> when it was null or could not be read.</summary>
    public abstract object? Native { get; }

    /// <summary>Reads the field; returns <see langword="null"/> or the reason the value does not fit, with the value shown first.</summary>
    public abstract string? Read(NpgsqlBinaryExporter export, Array target, int row);

    /// <summary>Forgets the value read last (its reading failed).</summary>
    public abstract void Forget();
}

/// <summary>A field read as <typeparamref name="TNative"/> and kept as <typeparamref name="TValue"/> (<c>long?</c>, <c>string?</c>, …).</summary>
internal sealed class CopyColumn<TNative, TValue>(NpgsqlDbType type, CopyConverter<TNative, TValue> convert) : CopyColumn
{
    private TNative? _last;
    private bool _hasLast;

    public override object? Native => _hasLast ? _last : null;

    public override string? Read(NpgsqlBinaryExporter export, Array target, int row)
    {
        var values = (TValue?[])target;
        if (export.IsNull)
        {
            export.Skip();
            _hasLast = false;
            values[row] = default;
            return null;
        }

        _hasLast = false;
        var native = export.Read<TNative>(type);
        _last = native;
        _hasLast = true;
        var error = convert(native, out var value);
        values[row] = value;
        return error is null ? null : $"{ValueMapper.Show(native!)} {error}";
    }

    public override void Forget() => _hasLast = false;
}

/// <summary>
/// Builds the <see cref="CopyColumn"/> of a provider type and a schema column: typed conversions where the provider type is the
/// column's or widens to it, each the typed form of <see cref="ValueMapper"/>'s rule with its message; every other pair goes
/// through <see cref="ValueMapper.TryConvert"/> itself.
/// </summary>
internal static class CopyColumns
{
    public static CopyColumn For<TNative>(NpgsqlDbType type, ColumnType target, TimeZoneInfo zone)
        where TNative : notnull
    {
        var fast = Fast<TNative>(target, zone);
        return target.Kind switch
        {
            ColumnKind.String => Make<TNative, string?>(type, fast, target, zone),
            ColumnKind.Boolean => Make<TNative, bool?>(type, fast, target, zone),
            ColumnKind.Int32 => Make<TNative, int?>(type, fast, target, zone),
            ColumnKind.Int64 => Make<TNative, long?>(type, fast, target, zone),
            ColumnKind.Float => Make<TNative, float?>(type, fast, target, zone),
            ColumnKind.Double => Make<TNative, double?>(type, fast, target, zone),
            ColumnKind.Decimal => Make<TNative, decimal?>(type, fast, target, zone),
            ColumnKind.Date => Make<TNative, DateOnly?>(type, fast, target, zone),
            _ => Make<TNative, DateTime?>(type, fast, target, zone),
        };
    }

    private static CopyColumn<TNative, TValue> Make<TNative, TValue>(NpgsqlDbType type, Delegate? fast, ColumnType target, TimeZoneInfo zone)
        where TNative : notnull
        => new(type, fast as CopyConverter<TNative, TValue> ?? ((TNative native, out TValue value) =>
        {
            var error = ValueMapper.TryConvert(native, target, zone, out var converted);
            value = error is null ? (TValue)converted! : default!;
            return error;
        }));

    private static Delegate? Fast<TNative>(ColumnType target, TimeZoneInfo zone)
    {
        var native = typeof(TNative);
        return target.Kind switch
        {
            ColumnKind.Int64 when native == typeof(long) => (CopyConverter<long, long?>)((long n, out long? v) => Done(v = n)),
            ColumnKind.Int64 when native == typeof(int) => (CopyConverter<int, long?>)((int n, out long? v) => Done(v = n)),
            ColumnKind.Int64 when native == typeof(short) => (CopyConverter<short, long?>)((short n, out long? v) => Done(v = n)),
            ColumnKind.Int32 when native == typeof(int) => (CopyConverter<int, int?>)((int n, out int? v) => Done(v = n)),
            ColumnKind.Int32 when native == typeof(short) => (CopyConverter<short, int?>)((short n, out int? v) => Done(v = n)),
            ColumnKind.Int32 when native == typeof(long) => (CopyConverter<long, int?>)((long n, out int? v) =>
            {
                var error = ValueMapper.TryInt32(n, out var i);
                v = error is null ? i : null;
                return error;
            }),
            ColumnKind.Decimal when native == typeof(decimal) => (CopyConverter<decimal, decimal?>)((decimal n, out decimal? v) =>
            {
                var error = ValueMapper.TryDecimal(n, target, out var d);
                v = error is null ? d : null;
                return error;
            }),
            ColumnKind.Double when native == typeof(double) => (CopyConverter<double, double?>)((double n, out double? v) => Done(v = n)),
            ColumnKind.Float when native == typeof(float) => (CopyConverter<float, float?>)((float n, out float? v) => Done(v = n)),
            ColumnKind.Boolean when native == typeof(bool) => (CopyConverter<bool, bool?>)((bool n, out bool? v) => Done(v = n)),
            ColumnKind.String when native == typeof(string) => (CopyConverter<string, string?>)((string n, out string? v) => Done(v = n)),
            ColumnKind.String when native == typeof(Guid) => (CopyConverter<Guid, string?>)((Guid n, out string? v) => Done(v = n.ToString("D"))),
            ColumnKind.Timestamp when native == typeof(DateTime) => (CopyConverter<DateTime, DateTime?>)((DateTime n, out DateTime? v) =>
            {
                var error = ValueMapper.TryTimestamp(n, zone, out var t);
                v = error is null ? t : null;
                return error;
            }),
            ColumnKind.Date when native == typeof(DateTime) => (CopyConverter<DateTime, DateOnly?>)((DateTime n, out DateOnly? v) =>
            {
                var error = ValueMapper.TryDate(n, out var d);
                v = error is null ? d : null;
                return error;
            }),
            _ => null,
        };
    }

    private static string? Done<T>(T value)
    {
        _ = value;
        return null;
    }
}
