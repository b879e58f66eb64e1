using System.Globalization;
using Ingest.Tables.Iceberg;

namespace Ingest.Catalog;

/// <summary>
/// Values of an Iceberg column in one comparable form per type, for pruning: <see cref="long"/> for int, long, date
/// (days since 1970-01-01) and timestamps (microseconds), <see cref="double"/>, <see cref="decimal"/>, <see cref="bool"/>,
/// and strings compared by their UTF-8 bytes (Iceberg's and Parquet's order).
/// </summary>
internal static class ScanValues
{
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>A value as a manifest stores it (bound or partition value) in its comparable form.</summary>
    public static object Normalize(IcebergType type, object value) => type.Name switch
    {
        "int" or "date" or "long" or "timestamp" or "timestamptz" => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        "float" or "double" => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        "boolean" => (bool)value,
        "string" => (string)value,
        _ when type.IsDecimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>A query literal as a value of the column's type, or <see langword="null"/> when it is not one (then it prunes nothing).</summary>
    public static object? FromLiteral(IcebergType type, SqlLiteral? literal)
    {
        if (literal is null)
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        var number = literal.Kind == SqlLiteralKind.Number;
        var text = literal.Text;
        switch (type.Name)
        {
            case "int" or "long":
                return number && long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var l) ? l : null;
            case "float" or "double":
                return number && double.TryParse(text, NumberStyles.Float, inv, out var d) ? d : null;
            case "boolean":
                return literal.Kind == SqlLiteralKind.Boolean ? text == "true" : null;
            case "string":
                return literal.Kind == SqlLiteralKind.String ? text : null;
            case "date":
                return literal.Kind is SqlLiteralKind.Date or SqlLiteralKind.String
                    && DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var day)
                    ? (long)(day.DayNumber - EpochDay)
                    : null;
            case "timestamp" or "timestamptz":
                if (literal.Kind is SqlLiteralKind.Date or SqlLiteralKind.Timestamp or SqlLiteralKind.String
                    && DateTimeOffset.TryParse(text, inv, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return (at.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
                }

                return null;
            default:
                return type.IsDecimal && number && decimal.TryParse(text, NumberStyles.Float, inv, out var m) ? m : null;
        }
    }

    /// <summary>The day, month or year (since 1970) of a date (days) or timestamp (microseconds) value.</summary>
    public static long? Transform(IcebergType type, string transform, object value)
    {
        DateTime at;
        switch (type.Name)
        {
            case "date":
                at = DateOnly.FromDayNumber((int)((long)value + EpochDay)).ToDateTime(TimeOnly.MinValue);
                break;
            case "timestamp" or "timestamptz":
                at = DateTime.UnixEpoch.AddTicks((long)value * 10);
                break;
            default:
                return null;
        }

        return transform switch
        {
            "day" => DateOnly.FromDateTime(at).DayNumber - EpochDay,
            "month" => ((at.Year - 1970) * 12) + at.Month - 1,
            "year" => at.Year - 1970,
            _ => null,
        };
    }

    public static int Compare(object left, object right) => (left, right) switch
    {
        (string a, string b) => System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)),
        (IComparable a, _) => a.CompareTo(right),
        _ => 0,
    };
}
