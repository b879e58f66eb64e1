using System.Globalization;

namespace Ingest.Definitions;

/// <summary>
/// The CLR representation of each column type and its invariant text form, used for rule bounds,
/// allowed values and values that arrive already typed (JSON, Parquet).
/// </summary>
/// <remarks>
/// string → <see cref="string"/>, boolean → <see cref="bool"/>, int32 → <see cref="int"/>, int64 → <see cref="long"/>,
/// float → <see cref="float"/>, double → <see cref="double"/>, decimal(p,s) → <see cref="decimal"/>,
/// date → <see cref="DateOnly"/>, timestamp → <see cref="DateTime"/> with <see cref="DateTimeKind.Utc"/>.
/// </remarks>
internal static class InvariantValues
{
    /// <summary>Returns the CLR type that holds values of <paramref name="type"/>.</summary>
    public static Type ClrType(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => typeof(string),
        ColumnKind.Boolean => typeof(bool),
        ColumnKind.Int32 => typeof(int),
        ColumnKind.Int64 => typeof(long),
        ColumnKind.Float => typeof(float),
        ColumnKind.Double => typeof(double),
        ColumnKind.Decimal => typeof(decimal),
        ColumnKind.Date => typeof(DateOnly),
        ColumnKind.Timestamp => typeof(DateTime),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses the invariant text form of a value.</summary>
    public static bool TryParse(string text, ColumnType type, out object? value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var inv = CultureInfo.InvariantCulture;
        value = null;
        switch (type.Kind)
        {
            case ColumnKind.String:
                value = text;
                return true;
            case ColumnKind.Boolean when bool.TryParse(text, out var b):
                value = b;
                return true;
            case ColumnKind.Int32 when int.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var i):
                value = i;
                return true;
            case ColumnKind.Int64 when long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var l):
                value = l;
                return true;
            case ColumnKind.Float when float.TryParse(text, NumberStyles.Float, inv, out var f):
                value = f;
                return true;
            case ColumnKind.Double when double.TryParse(text, NumberStyles.Float, inv, out var dbl):
                value = dbl;
                return true;
            case ColumnKind.Decimal when decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, inv, out var m):
                value = m;
                return true;
            case ColumnKind.Date when DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var date):
                value = date;
                return true;
            case ColumnKind.Timestamp when DateTimeOffset.TryParse(text, inv, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts):
                value = DateTime.SpecifyKind(ts.UtcDateTime, DateTimeKind.Utc);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Formats a value in its invariant text form (ISO 8601 for dates and timestamps).</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
