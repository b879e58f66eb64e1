using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingest.Cli.Query;

/// <summary>
/// Types a <c>--param</c> value for Athena, which compares only values of the same type (<c>date &gt;= varchar</c> fails):
/// a whole number (no leading zero) becomes <c>bigint</c>, a number with a point <c>decimal</c>, <c>true</c>/<c>false</c> a boolean,
/// <c>yyyy-MM-dd</c> a date, <c>yyyy-MM-dd HH:mm:ss[.ffffff]</c> (or with <c>T</c>) a timestamp, anything else text.
/// To pass such a value as text, cast it in the SQL: <c>CAST(? AS varchar)</c>.
/// </summary>
internal static partial class ParameterValues
{
    public static object Typed(string value)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (WholeNumber().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, invariant, out var whole))
        {
            return whole;
        }

        if (DecimalNumber().IsMatch(value) && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, invariant, out var number))
        {
            return number;
        }

        if (value is "true" or "false")
        {
            return value == "true";
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date))
        {
            return date;
        }

        string[] timestamps = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFF"];
        return DateTime.TryParseExact(value, timestamps, invariant, DateTimeStyles.None, out var timestamp) ? timestamp : value;
    }

    [GeneratedRegex("^-?(0|[1-9][0-9]{0,17})$", RegexOptions.CultureInvariant)]
    private static partial Regex WholeNumber();

    [GeneratedRegex("^-?(0|[1-9][0-9]{0,27})\\.[0-9]{1,28}$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalNumber();
}
