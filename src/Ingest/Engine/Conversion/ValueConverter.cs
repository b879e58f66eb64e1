using System.Globalization;
using System.Text.RegularExpressions;
using Ingest.Definitions;

namespace Ingest.Engine.Conversion;

/// <summary>
/// Converts source text to typed values for one dataset, with the definition's null markers, number
/// separators, date and timestamp formats and time zone. Invariant culture unless the definition says otherwise.
/// </summary>
internal sealed partial class ValueConverter
{
    private static readonly string[] IsoTimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd",
    ];

    private readonly string[] _nullMarkers;
    private readonly NumberFormatInfo _numbers;
    private readonly NumberStyles _integerStyle;
    private readonly NumberStyles _floatStyle;
    private readonly NumberStyles _decimalStyle;
    private readonly string[] _dateFormats;
    private readonly string[] _timestampFormats;
    private readonly TimeZoneInfo _timeZone;
    private readonly string _separatorHint;
    private readonly bool _utcZone;
    private readonly bool _isoDates;
    private readonly char _decimalSeparator;
    private readonly ulong _markerLengths; // bit n set: a marker of length n (or one of 64 or more: every bit)

    public ValueConverter(SourceDefinition source)
    {
        _nullMarkers = [.. source.NullMarkers.Distinct(StringComparer.Ordinal)];
        foreach (var marker in _nullMarkers)
        {
            _markerLengths |= marker.Length < 64 ? 1UL << marker.Length : ulong.MaxValue;
        }

        var textual = source.Format == SourceFormat.Csv;
        _numbers = (NumberFormatInfo)NumberFormatInfo.InvariantInfo.Clone();
        var allowGroups = false;
        if (textual)
        {
            _numbers.NumberDecimalSeparator = source.DecimalSeparator;
            _numbers.NumberGroupSeparator = source.GroupSeparator ?? (source.DecimalSeparator == "," ? "\u0001" : "\u0002");
            allowGroups = source.GroupSeparator is not null;
        }
        else
        {
            _numbers.NumberGroupSeparator = "\u0002";
        }

        var groups = allowGroups ? NumberStyles.AllowThousands : NumberStyles.None;
        _integerStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | groups;
        _floatStyle = NumberStyles.Float | groups;
        _decimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | groups;
        // Parquet values arrive typed and are handed on in their invariant form (ISO dates, UTC instants),
        // so the definition's text formats and time zone do not apply to them.
        var typedSource = source.Format == SourceFormat.Parquet;
        _dateFormats = typedSource ? ["yyyy-MM-dd"] : [.. source.DateFormats];
        _isoDates = _dateFormats.Length > 0 && _dateFormats[0] == "yyyy-MM-dd";
        _timestampFormats = !typedSource && source.TimestampFormats.Count > 0 ? [.. source.TimestampFormats] : IsoTimestampFormats;
        _timeZone = typedSource ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(source.TimeZone);
        _utcZone = _timeZone.BaseUtcOffset == TimeSpan.Zero && _timeZone.GetAdjustmentRules().Length == 0;
        _decimalSeparator = _numbers.NumberDecimalSeparator.Length == 1 ? _numbers.NumberDecimalSeparator[0] : '\0';
        _separatorHint = textual
            ? $"the decimal separator is \"{source.DecimalSeparator}\"" + (allowGroups ? $" and the group separator \"{source.GroupSeparator}\"" : ", no group separators")
            : "JSON and Parquet numbers use \".\"";
    }

    /// <summary>Returns whether the text is one of the null markers.</summary>
    public bool IsNull(string? text) => text is null || IsNullMarker(text);

    /// <summary>Returns whether the characters are one of the null markers.</summary>
    public bool IsNull(ReadOnlySpan<char> text) => IsNullMarker(text);

    /// <summary>
    /// The fast paths of <see cref="TryConvert"/> on a field's characters, without making a string: a null
    /// marker, plain whole numbers, doubles and decimals, ISO dates and UTC timestamps. Returns
    /// <see langword="false"/> for anything else (strings included): the caller then converts the field's
    /// string with <see cref="TryConvert"/>, which gives the same value or the reason it is not one.
    /// </summary>
    public bool TryConvertFast(ReadOnlySpan<char> text, ColumnType type, out object? value)
    {
        value = null;
        return IsNullMarker(text) || TryFastPath(text, type, out value);
    }

    /// <summary>
    /// The fast paths of <see cref="TryConvertFast"/> (and exact booleans), giving the value in its physical
    /// form (<see cref="PhysicalValue"/>) instead of a box: a null marker sets <paramref name="isNull"/>.
    /// Returns <see langword="false"/> for anything else; the caller then converts the field as an object,
    /// which gives the same value (tested) or the reason it is not one.
    /// </summary>
    public bool TryConvertPhysical(ReadOnlySpan<char> text, ColumnType type, out long bits, out bool isNull)
    {
        bits = 0;
        isNull = IsNullMarker(text);
        if (isNull)
        {
            return true;
        }

        switch (type.Kind)
        {
            case ColumnKind.Int32 when TryParsePlainDigits(text, 9, out var i):
                bits = i;
                return true;
            case ColumnKind.Int64 when TryParsePlainDigits(text, 18, out var l):
                bits = l;
                return true;
            case ColumnKind.Double when TryParsePlainDouble(text, _decimalSeparator, out var d):
                bits = BitConverter.DoubleToInt64Bits(d);
                return true;
            case ColumnKind.Decimal when type.Precision <= 18 && TryParsePlainUnscaled(text, type, out var mantissa, out var scale):
                for (; scale < type.Scale; scale++)
                {
                    mantissa *= 10; // below 10^precision, so within a long
                }

                bits = mantissa;
                return true;
            case ColumnKind.Date when _isoDates && TryParseIsoDate(text, out var date):
                bits = PhysicalValue.FromDate(date);
                return true;
            case ColumnKind.Timestamp when _timestampFormats == IsoTimestampFormats && TryParseIsoSeconds(text, out var ts):
                bits = PhysicalValue.FromTimestamp(ts);
                return true;
            case ColumnKind.Boolean when TryParseBoolean(text, out var b):
                bits = b ? 1 : 0;
                return true;
            default:
                return false;
        }
    }

    private bool IsNullMarker(ReadOnlySpan<char> text)
    {
        // Most fields have a length no marker has: one bit test, no comparison.
        if (text.Length < 64 && (_markerLengths & (1UL << text.Length)) == 0)
        {
            return false;
        }

        // A handful of markers at most: comparing them beats hashing every field.
        foreach (var marker in _nullMarkers)
        {
            if (text.SequenceEqual(marker))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The common forms of each type, parsed without the framework's general parsers (same values).</summary>
    private bool TryFastPath(ReadOnlySpan<char> text, ColumnType type, out object? value)
    {
        value = null;
        switch (type.Kind)
        {
            case ColumnKind.Int32 when TryParsePlainDigits(text, 9, out var i):
                value = Box((int)i);
                return true;
            case ColumnKind.Int64 when TryParsePlainDigits(text, 18, out var l):
                value = l;
                return true;
            case ColumnKind.Double when TryParsePlainDouble(text, _decimalSeparator, out var d):
                value = d;
                return true;
            case ColumnKind.Decimal when TryParsePlainDecimal(text, type, out var m):
                value = m;
                return true;
            case ColumnKind.Date when _isoDates && TryParseIsoDate(text, out var date):
                value = date;
                return true;
            case ColumnKind.Timestamp when _timestampFormats == IsoTimestampFormats && TryParseIsoSeconds(text, out var ts):
                value = ts;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Converts the text of one field. Returns <see langword="null"/> on success (with <paramref name="value"/>
    /// set) or the reason the text is not a value of the type.
    /// </summary>
    public string? TryConvert(string? text, ColumnType type, out object? value)
    {
        value = null;
        if (IsNull(text))
        {
            return null;
        }

        var s = text!;
        if (TryFastPath(s, type, out value))
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        switch (type.Kind)
        {
            case ColumnKind.String:
                value = s;
                return null;
            case ColumnKind.Boolean:
                if (TryParseBoolean(s.AsSpan().Trim(), out var b))
                {
                    value = b;
                    return null;
                }

                return "expected true/false, yes/no, y/n, t/f or 1/0";
            case ColumnKind.Int32:
                if (int.TryParse(s, _integerStyle, _numbers, out var i))
                {
                    value = Box(i);
                    return null;
                }

                return long.TryParse(s, _integerStyle, _numbers, out _) ? "out of the int32 range" : "expected a whole number";
            case ColumnKind.Int64:
                if (long.TryParse(s, _integerStyle, _numbers, out var l))
                {
                    value = l;
                    return null;
                }

                return decimal.TryParse(s, _integerStyle, _numbers, out _) ? "out of the int64 range" : "expected a whole number";
            case ColumnKind.Float:
                if (float.TryParse(s, _floatStyle, _numbers, out var f) && float.IsFinite(f))
                {
                    value = f;
                    return null;
                }

                return $"expected a number ({_separatorHint})";
            case ColumnKind.Double:
                if (double.TryParse(s, _floatStyle, _numbers, out var d) && double.IsFinite(d))
                {
                    value = d;
                    return null;
                }

                return $"expected a number ({_separatorHint})";
            case ColumnKind.Decimal:
                return ConvertDecimal(s, type, out value);
            case ColumnKind.Date:
                if (DateOnly.TryParseExact(s.AsSpan().Trim(), _dateFormats, inv, DateTimeStyles.None, out var date))
                {
                    value = date;
                    return null;
                }

                return $"expected a date as {string.Join(" or ", _dateFormats)}";
            case ColumnKind.Timestamp:
                var stamp = s.Trim();
                if (_timestampFormats == IsoTimestampFormats && ExcessFractionDigits().Match(stamp) is { Success: true } excess)
                {
                    // .NET parses at most 7 fraction digits (ticks); ISO 8601 allows more, and values are truncated to microseconds anyway.
                    stamp = stamp.Remove(excess.Index, excess.Length);
                }

                if (DateTime.TryParseExact(stamp, _timestampFormats, inv, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out var ts))
                {
                    value = ToUtcMicros(ts, stamp);
                    return value is not null ? null
                        : ts.Kind == DateTimeKind.Local ? "the instant is outside the years 0001 to 9999 in UTC"
                        : $"not a valid time in {_timeZone.Id}";
                }

                return _timestampFormats == IsoTimestampFormats
                    ? "expected an ISO 8601 timestamp such as 2024-05-01T10:15:00Z"
                    : $"expected a timestamp as {string.Join(" or ", _timestampFormats)}";
            default:
                return $"unsupported type {type}";
        }
    }

    /// <summary>
    /// The common case of a decimal, without the cost of <see cref="decimal.TryParse(string, NumberStyles, IFormatProvider, out decimal)"/>
    /// and the checks after it: an optional sign, digits, the decimal separator and digits, at most 18 digits
    /// in all and within the type. Anything else (white space, group separators, too many places, too large)
    /// returns <see langword="false"/> and takes the general path, which also words the error.
    /// </summary>
    /// <summary>
    /// The common case of a whole number: an optional '-' and at most <paramref name="maxDigits"/> ASCII digits
    /// (so it cannot overflow), nothing else. Anything else (a sign '+', spaces, group separators, more digits)
    /// takes the framework's parser, with its range checks and messages.
    /// </summary>
    internal static bool TryParsePlainDigits(ReadOnlySpan<char> s, int maxDigits, out long value)
    {
        value = 0;
        var negative = s.Length > 0 && s[0] == '-';
        var start = negative ? 1 : 0;
        var digits = s.Length - start;
        if (digits < 1 || digits > maxDigits)
        {
            return false;
        }

        long result = 0;
        for (var k = start; k < s.Length; k++)
        {
            var d = (uint)(s[k] - '0');
            if (d > 9)
            {
                return false;
            }

            result = (result * 10) + d;
        }

        value = negative ? -result : result;
        return true;
    }

    /// <summary>
    /// The common case of a double: an optional '-', digits and optionally the decimal separator and more
    /// digits, at most 15 digits in all and no exponent. The digits then form an integer below 2^53 and the
    /// divisor 10^k (k ≤ 15) is exact, so one IEEE division gives the correctly rounded value, the same as
    /// the framework's parser (the classic fast path of decimal-to-binary conversion). Anything else takes the
    /// framework's parser.
    /// </summary>
    internal static bool TryParsePlainDouble(ReadOnlySpan<char> s, char decimalSeparator, out double value)
    {
        value = 0;
        var negative = s.Length > 0 && s[0] == '-';
        var k = negative ? 1 : 0;
        ulong mantissa = 0;
        var digits = 0;
        var fractionDigits = -1;
        for (; k < s.Length; k++)
        {
            var c = s[k];
            var d = (uint)(c - '0');
            if (d <= 9)
            {
                mantissa = (mantissa * 10) + d;
                digits++;
                if (fractionDigits >= 0)
                {
                    fractionDigits++;
                }
            }
            else if (c == decimalSeparator && fractionDigits < 0 && digits > 0 && decimalSeparator != '\0')
            {
                fractionDigits = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || digits > 15 || fractionDigits == 0)
        {
            return false;
        }

        var result = fractionDigits > 0 ? mantissa / ExactPowersOfTen[fractionDigits] : mantissa;
        value = negative ? -result : result;
        return true;
    }

    private static readonly double[] ExactPowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Boxes an int, sharing the boxes of small values (quantities, codes, flags) instead of allocating one per row.</summary>
    private static object Box(int value) => (uint)(value + 128) < (uint)SmallInts.Length ? SmallInts[value + 128] : value;

    private static readonly object[] SmallInts = [.. Enumerable.Range(-128, 1152).Select(v => (object)v)];

    private bool TryParsePlainDecimal(ReadOnlySpan<char> s, ColumnType type, out decimal value)
    {
        value = default;
        if (!TryParsePlainUnscaled(s, type, out var mantissa, out var scale))
        {
            return false;
        }

        value = PhysicalValue.ToDecimal(mantissa, scale);
        return true;
    }

    /// <summary>
    /// The plain decimal of <see cref="TryParsePlainDecimal"/> as a signed integer of at most 18 digits and
    /// its number of decimal places (at most the type's scale: zeros beyond it are dropped).
    /// </summary>
    private bool TryParsePlainUnscaled(ReadOnlySpan<char> s, ColumnType type, out long unscaled, out int scale)
    {
        unscaled = 0;
        scale = 0;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i = 1;
        }

        long mantissa = 0;
        int digits = 0, integerDigits = 0, fractionDigits = -1, trailingZeros = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            var d = (uint)(c - '0');
            if (d <= 9)
            {
                if (++digits > 18)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + d;
                if (fractionDigits < 0)
                {
                    integerDigits = mantissa == 0 ? 0 : integerDigits + 1;
                }
                else
                {
                    fractionDigits++;
                    trailingZeros = d == 0 ? trailingZeros + 1 : 0;
                }
            }
            else if (c == _decimalSeparator && fractionDigits < 0 && digits > 0)
            {
                fractionDigits = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || fractionDigits == 0 || (negative && mantissa == 0) || integerDigits > type.Precision - type.Scale || fractionDigits - trailingZeros > type.Scale)
        {
            return false;
        }

        scale = Math.Max(fractionDigits, 0);
        for (; scale > type.Scale; scale--)
        {
            mantissa /= 10; // only zeros beyond the type's scale (checked above), as decimal.Round leaves them
        }

        unscaled = negative ? -mantissa : mantissa;
        return true;
    }

    /// <summary>
    /// The common ISO timestamp <c>yyyy-MM-dd[T ]HH:mm:ss[.fffffff…][Z]</c>, without the cost of
    /// <see cref="DateTime.TryParseExact(string, string[], IFormatProvider, DateTimeStyles, out DateTime)"/> over five
    /// formats. Offsets, other time zones than UTC, white space and out-of-range fields return
    /// <see langword="false"/> and take the general path, which gives the same value or the error.
    /// </summary>
    private bool TryParseIsoSeconds(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || s[10] is not ('T' or ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        long fraction = 0;
        var i = 19;
        if (i < s.Length && s[i] == '.')
        {
            var start = ++i;
            for (; i < s.Length && (uint)(s[i] - '0') <= 9; i++)
            {
                if (i - start < 7)
                {
                    fraction = (fraction * 10) + (s[i] - '0');
                }
            }

            if (i == start)
            {
                return false;
            }

            for (var n = Math.Min(i - start, 7); n < 7; n++)
            {
                fraction *= 10;
            }
        }

        var utc = i == s.Length - 1 && s[i] == 'Z';
        if ((i != s.Length && !utc) || (!utc && !_utcZone)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        value = new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
        return true;
    }

    /// <summary><c>yyyy-MM-dd</c> exactly, as the first date format gives it; anything else takes the general path.</summary>
    private static bool TryParseIsoDate(ReadOnlySpan<char> s, out DateOnly value)
    {
        value = default;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        value = new DateOnly(year, month, day);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }

    private string? ConvertDecimal(string s, ColumnType type, out object? value)
    {
        value = null;
        if (!decimal.TryParse(s, _decimalStyle, _numbers, out var m))
        {
            return s.Contains('e', StringComparison.OrdinalIgnoreCase)
                ? "expected a plain decimal number without exponent"
                : $"expected a decimal number ({_separatorHint})";
        }

        // System.Decimal keeps 28-29 significant digits and rounds the rest away while parsing, so count the
        // decimal places in the text itself: "1.00000000000000000000000000001" must not become 1.00.
        var separator = s.IndexOf(_numbers.NumberDecimalSeparator, StringComparison.Ordinal);
        if (separator >= 0 && s.AsSpan(separator + _numbers.NumberDecimalSeparator.Length).TrimEnd().TrimEnd('0').Length > type.Scale)
        {
            return $"has more than {type.Scale} decimal places";
        }

        var rounded = decimal.Round(m, type.Scale, MidpointRounding.ToEven);
        if (rounded != m)
        {
            return $"has more than {type.Scale} decimal places";
        }

        var integerDigits = type.Precision - type.Scale;
        if (Math.Abs(decimal.Truncate(rounded)) >= Pow10(integerDigits))
        {
            return $"does not fit: at most {integerDigits} digits before the decimal point";
        }

        value = rounded;
        return null;
    }

    private object? ToUtcMicros(DateTime ts, string text)
    {
        DateTime utc;
        switch (ts.Kind)
        {
            case DateTimeKind.Utc:
                utc = ts;
                break;
            case DateTimeKind.Local:
                // The text has an offset. Take the instant from DateTimeOffset, not through the machine's local time
                // or AdjustToUniversal: both wrap a result before 0001-01-01 by a day instead of failing.
                if (!DateTimeOffset.TryParseExact(text, _timestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var instant))
                {
                    return null;
                }

                utc = instant.UtcDateTime;
                break;
            default:
                if (_timeZone.IsInvalidTime(ts))
                {
                    return null;
                }

                utc = TimeZoneInfo.ConvertTimeToUtc(ts, _timeZone);
                break;
        }

        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    /// <summary>Fraction digits after the seventh of an ISO 8601 time (<c>10:15:30.123456789</c> → <c>89</c>).</summary>
    [GeneratedRegex(@"(?<=^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{7})[0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex ExcessFractionDigits();

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10m;
        }

        return result;
    }

    private static bool TryParseBoolean(ReadOnlySpan<char> s, out bool value)
    {
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || s.Equals("y", StringComparison.OrdinalIgnoreCase) || s.Equals("t", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("1"))
        {
            value = true;
            return true;
        }

        if (s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.Equals("no", StringComparison.OrdinalIgnoreCase)
            || s.Equals("n", StringComparison.OrdinalIgnoreCase) || s.Equals("f", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("0"))
        {
            value = false;
            return true;
        }

        value = false;
        return false;
    }
}
