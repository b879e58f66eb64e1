using System.Globalization;

namespace Ingest.Database.Extraction;

/// <summary>
/// Watermarks in the cursor column's own provider type: written to the ledger in a round-trip text form and read back into
/// the same type, so the next run's predicate compares like with like (a <c>timestamp</c> stays without a time zone, a
/// <c>timestamptz</c> stays an instant, SQLite text stays text).
/// </summary>
internal static class CursorValues
{
    public static string Format(object value) => value switch
    {
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static bool TryParse(string text, Type type, out object? value)
    {
        var inv = CultureInfo.InvariantCulture;
        value = null;
        if (type == typeof(string))
        {
            value = text;
        }
        else if (type == typeof(DateTime) && DateTime.TryParse(text, inv, DateTimeStyles.RoundtripKind, out var t))
        {
            value = t;
        }
        else if (type == typeof(DateTimeOffset) && DateTimeOffset.TryParse(text, inv, DateTimeStyles.RoundtripKind, out var o))
        {
            value = o;
        }
        else if (type == typeof(DateOnly) && DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var d))
        {
            value = d;
        }
        else if (type == typeof(decimal) && decimal.TryParse(text, NumberStyles.Number, inv, out var m))
        {
            value = m;
        }
        else if ((type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte)) && long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var l))
        {
            value = Convert.ChangeType(l, type, inv);
        }
        else if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, inv, out var x))
        {
            value = x;
        }

        return value is not null;
    }

    /// <summary>Compares two values of the same provider type.</summary>
    public static int Compare(object left, object right) => left switch
    {
        string s => string.CompareOrdinal(s, (string)right),
        DateTime t => t.Ticks.CompareTo(((DateTime)right).Ticks),
        IComparable c => c.CompareTo(right),
        _ => throw new InvalidOperationException($"Cursor values of type {left.GetType().Name} cannot be compared."),
    };

    /// <summary>Returns <paramref name="max"/> lowered by the lag, or <see langword="null"/> when the type cannot be lowered.</summary>
    public static object? Lower(object max, long lag) => lag == 0 ? max : max switch
    {
        DateTime t => t.AddSeconds(-lag),
        DateTimeOffset o => o.AddSeconds(-lag),
        DateOnly d => d.AddDays(-(int)(lag / 86_400)),
        long l => l - lag,
        int i => (int)Math.Max(int.MinValue, i - lag),
        short s => (short)Math.Max(short.MinValue, s - lag),
        decimal m => m - lag,
        double x => x - lag,
        string text => LowerText(text, lag),
        _ => null,
    };

    /// <summary>
    /// Lowers a timestamp or date kept as text (SQLite's convention: <c>yyyy-MM-dd HH:mm:ss[.fff]</c>, <c>T</c> or a space
    /// between date and time, or <c>yyyy-MM-dd</c>), written back in the same shape so that it compares as text with the
    /// column's values; <see langword="null"/> for text of any other shape.
    /// </summary>
    private static string? LowerText(string text, long lag)
    {
        var inv = CultureInfo.InvariantCulture;
        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var day))
        {
            return day.AddDays(-(int)(lag / 86_400)).ToString("yyyy-MM-dd", inv);
        }

        if (text.Length < 19 || text[10] is not (' ' or 'T'))
        {
            return null;
        }

        var zulu = text.EndsWith('Z');
        var body = zulu ? text[..^1] : text;
        var fraction = body.Length > 19 && body[19] == '.' ? body.Length - 20 : 0;
        if (fraction is < 0 or > 7 || (body.Length != 19 && body.Length != 20 + fraction))
        {
            return null;
        }

        var format = "yyyy-MM-dd" + (text[10] == 'T' ? "'T'" : " ") + "HH:mm:ss" + (fraction > 0 ? "." + new string('f', fraction) : string.Empty);
        return DateTime.TryParseExact(body, format, inv, DateTimeStyles.None, out var t)
            ? t.AddSeconds(-lag).ToString(format, inv) + (zulu ? "Z" : string.Empty)
            : null;
    }
}
