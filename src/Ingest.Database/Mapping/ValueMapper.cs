using System.Globalization;
using Ingest.Definitions;

namespace Ingest.Database.Mapping;

/// <summary>
/// Converts values as ADO.NET providers return them (<c>DbDataReader.GetValue</c>) to the CLR type of a schema column
/// (<see cref="InvariantValues.ClrType"/>), refusing anything that would change the value: a decimal with more places than the
/// scale, a number out of range, a timestamp that does not exist in the source's time zone. Timestamps without a time zone
/// (<see cref="DateTimeKind.Unspecified"/>) are read in the definition's <c>source.timeZone</c>; instants become UTC, truncated to
/// microseconds (the lake's precision).
/// </summary>
internal static class ValueMapper
{
    private const NumberStyles DecimalText = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>
    /// Returns whether values of the provider type <paramref name="native"/> can map to <paramref name="target"/> at all (checked once,
    /// before any row). Text maps to numbers, dates and timestamps only for SQLite, whose columns have no fixed type.
    /// </summary>
    public static bool Accepts(Type native, ColumnType target, DatabaseProvider provider)
    {
        var text = native == typeof(string);
        var dynamicText = text && provider == DatabaseProvider.Sqlite;
        return target.Kind switch
        {
            ColumnKind.String => native != typeof(byte[]),
            ColumnKind.Boolean => native == typeof(bool) || IsInteger(native) || dynamicText,
            ColumnKind.Int32 or ColumnKind.Int64 => IsInteger(native) || native == typeof(decimal) || dynamicText,
            ColumnKind.Float or ColumnKind.Double or ColumnKind.Decimal => IsInteger(native) || native == typeof(decimal) || native == typeof(double) || native == typeof(float) || dynamicText,
            ColumnKind.Date => native == typeof(DateOnly) || native == typeof(DateTime) || dynamicText,
            ColumnKind.Timestamp => native == typeof(DateTime) || native == typeof(DateTimeOffset) || native == typeof(DateOnly) || dynamicText,
            _ => false,
        };
    }

    /// <summary>Converts one non-null value; returns <see langword="null"/> on success or why the value does not fit.</summary>
    public static string? TryConvert(object native, ColumnType target, TimeZoneInfo zone, out object? value)
    {
        value = null;
        try
        {
            return target.Kind switch
            {
                ColumnKind.String => Set(native switch
                {
                    string s => s,
                    Guid g => g.ToString("D"),
                    char c => c.ToString(),
                    byte[] => null,
                    _ => InvariantValues.Format(native),
                }, "binary data is not text", out value),
                ColumnKind.Boolean => Set(native switch
                {
                    bool b => b,
                    string s when bool.TryParse(s, out var b) => b,
                    _ when IsInteger(native.GetType()) && Convert.ToInt64(native, CultureInfo.InvariantCulture) is var n && n is 0 or 1 => (object)(n == 1),
                    string s when s is "0" or "1" => s == "1",
                    _ => null,
                }, "expected a boolean (or 0/1)", out value),
                ColumnKind.Int32 => Integer(native, int.MinValue, int.MaxValue, "int32", out value, v => (int)v),
                ColumnKind.Int64 => Integer(native, long.MinValue, long.MaxValue, "int64", out value, v => v),
                ColumnKind.Float => Floating(native, float.MaxValue, out value, d => (float)d),
                ColumnKind.Double => Floating(native, double.MaxValue, out value, d => d),
                ColumnKind.Decimal => Decimal(native, target, out value),
                ColumnKind.Date => Set(native switch
                {
                    DateOnly d => d,
                    DateTime t when t.TimeOfDay == TimeSpan.Zero => DateOnly.FromDateTime(t),
                    string s when DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
                    _ => null,
                }, native is DateTime ? "has a time of day; the column is a date" : "expected a date", out value),
                ColumnKind.Timestamp => Timestamp(native, zone, out value),
                _ => "unsupported column type",
            };
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException or FormatException or ArgumentException)
        {
            value = null;
            return ex.Message;
        }
    }

    /// <summary>Formats a provider value for an error message.</summary>
    public static string Show(object native) => native switch
    {
        string s => $"\"{(s.Length > 60 ? s[..60] + "…" : s)}\"",
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
        byte[] b => $"{b.Length} bytes",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => native.ToString() ?? string.Empty,
    };

    public static bool IsInteger(Type type)
        => type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte)
        || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

    private static string? Set(object? converted, string error, out object? value)
    {
        value = converted;
        return converted is null ? error : null;
    }

    private static string? Integer(object native, long min, long max, string type, out object? value, Func<long, object> box)
    {
        value = null;
        decimal number;
        switch (native)
        {
            case decimal d:
                number = d;
                break;
            case string s when decimal.TryParse(s, DecimalText, CultureInfo.InvariantCulture, out var parsed):
                number = parsed;
                break;
            case string:
                return $"expected a whole number ({type})";
            case ulong u:
                number = u;
                break;
            default:
                if (!IsInteger(native.GetType()))
                {
                    return $"expected a whole number ({type})";
                }

                number = Convert.ToDecimal(native, CultureInfo.InvariantCulture);
                break;
        }

        if (decimal.Truncate(number) != number)
        {
            return $"has a fraction; the column is {type}";
        }

        if (number < min || number > max)
        {
            return $"is out of the {type} range";
        }

        value = box((long)number);
        return null;
    }

    private static string? Floating(object native, double max, out object? value, Func<double, object> box)
    {
        value = null;
        double number;
        switch (native)
        {
            case double d:
                number = d;
                break;
            case float f:
                number = f;
                break;
            case string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                number = parsed;
                break;
            case string:
                return "expected a number";
            default:
                number = Convert.ToDouble(native, CultureInfo.InvariantCulture);
                break;
        }

        if (double.IsFinite(number) && Math.Abs(number) > max)
        {
            return "is out of the float range";
        }

        value = box(number);
        return null;
    }

    private static string? Decimal(object native, ColumnType target, out object? value)
    {
        value = null;
        decimal number;
        switch (native)
        {
            case decimal d:
                number = d;
                break;
            case double or float:
                var d64 = Convert.ToDouble(native, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d64))
                {
                    return $"{d64} is not a decimal";
                }

                // The shortest text that round-trips the double, not its binary expansion: 0.1 stays 0.1.
                number = decimal.Parse(d64.ToString("R", CultureInfo.InvariantCulture), DecimalText, CultureInfo.InvariantCulture);
                break;
            case string s when decimal.TryParse(s, DecimalText, CultureInfo.InvariantCulture, out var parsed):
                number = parsed;
                break;
            case string:
                return "expected a decimal number";
            default:
                number = Convert.ToDecimal(native, CultureInfo.InvariantCulture);
                break;
        }

        var error = TryDecimal(number, target, out var rounded);
        value = error is null ? rounded : null;
        return error;
    }

    /// <summary>Checks a decimal against the column's scale and precision: the typed form of the decimal rule of <see cref="TryConvert"/>.</summary>
    public static string? TryDecimal(decimal number, ColumnType target, out decimal value)
    {
        value = decimal.Round(number, target.Scale, MidpointRounding.ToEven);
        if (value != number)
        {
            return $"does not fit {target}: more than {target.Scale} decimal place(s)";
        }

        if (Math.Abs(value) >= Pow10(target.Precision - target.Scale))
        {
            return $"does not fit {target}: more than {target.Precision - target.Scale} digit(s) before the decimal point";
        }

        return null;
    }

    /// <summary>Checks a whole number against the range of an int32 column: the typed form of the integer rule of <see cref="TryConvert"/>.</summary>
    public static string? TryInt32(long number, out int value)
    {
        value = (int)number;
        return number is < int.MinValue or > int.MaxValue ? "is out of the int32 range" : null;
    }

    /// <summary>
    /// Converts a provider's <see cref="DateTime"/> to the lake's UTC microseconds: the typed form of the timestamp rule of
    /// <see cref="TryConvert"/> (a time without a zone is read in <paramref name="zone"/>).
    /// </summary>
    public static string? TryTimestamp(DateTime native, TimeZoneInfo zone, out DateTime value)
    {
        value = default;
        DateTime utc;
        if (native.Kind == DateTimeKind.Utc)
        {
            utc = native;
        }
        else
        {
            var local = DateTime.SpecifyKind(native, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(local))
            {
                return $"does not exist in time zone {zone.Id} (a daylight-saving gap)";
            }

            utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        }

        value = Micros(utc);
        return null;
    }

    /// <summary>Converts a provider's <see cref="DateTime"/> to a date column: the typed form of the date rule of <see cref="TryConvert"/>.</summary>
    public static string? TryDate(DateTime native, out DateOnly value)
    {
        value = DateOnly.FromDateTime(native);
        return native.TimeOfDay == TimeSpan.Zero ? null : "has a time of day; the column is a date";
    }

    private static DateTime Micros(DateTime utc) => DateTime.SpecifyKind(new DateTime(utc.Ticks - (utc.Ticks % 10)), DateTimeKind.Utc);

    private static string? Timestamp(object native, TimeZoneInfo zone, out object? value)
    {
        value = null;
        DateTime utc;
        switch (native)
        {
            case DateTime t:
                var error = TryTimestamp(t, zone, out var converted);
                value = error is null ? converted : null;
                return error;
            case DateTimeOffset o:
                utc = o.UtcDateTime;
                break;
            case DateOnly d:
                utc = TimeZoneInfo.ConvertTimeToUtc(d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);
                break;
            case string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out var parsed):
                return Timestamp(parsed.Kind == DateTimeKind.Local ? parsed.ToUniversalTime() : parsed, zone, out value);
            default:
                return "expected a timestamp";
        }

        value = Micros(utc);
        return null;
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
