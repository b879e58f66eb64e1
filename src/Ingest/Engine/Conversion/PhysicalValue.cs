using Ingest.Definitions;

namespace Ingest.Engine.Conversion;

/// <summary>
/// A typed value in its Parquet physical form, held in a <see cref="long"/> instead of a box: whole numbers
/// as themselves, doubles as their IEEE bits, decimals of precision up to 18 unscaled at the column's scale,
/// dates as days and timestamps as microseconds since 1970-01-01 (UTC), booleans as 0 or 1; a string as
/// the start and length of its characters in the source record (<see cref="FromRange"/>), never made a
/// <see cref="string"/>.
/// </summary>
/// <remarks>
/// A row slot that holds <see cref="InBits"/> has its value in the row's array of bits at the same index.
/// The engine uses this only where nothing but the Parquet writer reads the column (no transform, rule,
/// partition or merge key), so user code never sees the marker; see ADR 0012.
/// </remarks>
internal static class PhysicalValue
{
    /// <summary>Gets the marker of a slot whose value is in the row's bits.</summary>
    public static object InBits { get; } = new Marker();

    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Whether values of <paramref name="type"/> have a physical form that fits a <see cref="long"/>.</summary>
    public static bool Supports(ColumnType type) => type.Kind switch
    {
        ColumnKind.String or ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Double or ColumnKind.Boolean or ColumnKind.Date or ColumnKind.Timestamp => true,
        ColumnKind.Decimal => type.Precision <= 18,
        _ => false,
    };

    /// <summary>A string's physical value: where its characters are in the record's characters.</summary>
    public static long FromRange(int start, int length) => ((long)start << 32) | (uint)length;

    /// <summary>The characters of a string's physical value.</summary>
    public static ReadOnlySpan<char> Characters(long bits, char[] characters) => characters.AsSpan((int)(bits >> 32), (int)(uint)bits);

    /// <summary>Days since 1970-01-01.</summary>
    public static int FromDate(DateOnly value) => value.DayNumber - UnixEpochDay;

    /// <summary>The date of a date's physical value (days since 1970-01-01).</summary>
    public static DateOnly ToDate(long bits) => DateOnly.FromDayNumber((int)bits + UnixEpochDay);

    /// <summary>The UTC instant of a timestamp's physical value (microseconds since 1970-01-01T00:00:00Z).</summary>
    public static DateTime ToTimestamp(long bits) => new(DateTime.UnixEpoch.Ticks + (bits * TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);

    /// <summary>Microseconds since 1970-01-01T00:00:00Z (a local time is converted to UTC first; ticks below a microsecond are dropped).</summary>
    public static long FromTimestamp(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
    }

    /// <summary>The CLR value of physical <paramref name="bits"/> of <paramref name="type"/> (decimals at the column's scale; strings from <paramref name="characters"/>).</summary>
    public static object ToClr(long bits, ColumnType type, char[]? characters = null) => type.Kind switch
    {
        ColumnKind.String => new string(Characters(bits, characters ?? throw new ArgumentNullException(nameof(characters)))),
        ColumnKind.Int32 => (int)bits,
        ColumnKind.Int64 => bits,
        ColumnKind.Double => BitConverter.Int64BitsToDouble(bits),
        ColumnKind.Boolean => bits != 0,
        ColumnKind.Date => ToDate(bits),
        ColumnKind.Timestamp => ToTimestamp(bits),
        ColumnKind.Decimal when type.Precision <= 18 => ToDecimal(bits, type.Scale),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no physical form in a long"),
    };

    /// <summary>The decimal of an unscaled value below 10^18 in magnitude, with exactly <paramref name="scale"/> places.</summary>
    public static decimal ToDecimal(long unscaled, int scale)
    {
        var magnitude = (ulong)Math.Abs(unscaled);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, unscaled < 0, (byte)scale);
    }

    private sealed class Marker
    {
        public override string ToString() => "(physical value)";
    }
}
