using System.Globalization;
using System.Text.RegularExpressions;
using Ingest.Engine.Conversion;

namespace Ingest.Definitions.Inference;

/// <summary>
/// The engine's converters inference tries values with, one per candidate format: a value counts as a date, a number or
/// a timestamp only if the converter a run uses accepts it.
/// </summary>
internal sealed class TypeProbes
{
    /// <summary>The date formats tried, most specific first (two-digit forms before the lenient ones).</summary>
    public static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy/MM/dd", "dd.MM.yyyy", "d.M.yyyy", "MM/dd/yyyy", "M/d/yyyy", "dd/MM/yyyy", "d/M/yyyy", "dd-MM-yyyy",
        "MMM d yyyy", "MMM d, yyyy", "d MMM yyyy", "dd-MMM-yyyy", "MMMM d yyyy", "MMMM d, yyyy", "d MMMM yyyy",
    ];

    /// <summary>The timestamp formats tried after ISO 8601 (the empty entry: the engine's default).</summary>
    public static readonly string[] TimestampFormats =
    [
        string.Empty, "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "d.M.yyyy H:mm:ss", "d.M.yyyy H:mm",
        "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy HH:mm", "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm", "M/d/yyyy h:mm:ss tt", "M/d/yyyy h:mm tt",
        "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd HH:mm",
        "MMM d yyyy HH:mm:ss", "MMM d yyyy h:mm tt", "d MMM yyyy HH:mm:ss", "dd-MMM-yyyy HH:mm:ss", "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
    ];

    /// <summary>The ISO 8601 forms the engine accepts by default, written out when another timestamp format must be listed beside them.</summary>
    public static readonly string[] ExplicitIsoTimestampFormats =
        ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK"];

    public TypeProbes(SourceFormat format, string decimalSeparator, string timeZone)
    {
        DecimalSeparator = decimalSeparator;
        var source = new SourceDefinition { Format = format, DecimalSeparator = decimalSeparator, NullMarkers = [], TimeZone = timeZone };
        Values = new ValueConverter(source);
        Dates = [.. DateFormats.Select(f => new ValueConverter(source with { DateFormats = [f] }))];
        Timestamps = [.. TimestampFormats.Select(f => new ValueConverter(source with { TimestampFormats = f.Length == 0 ? [] : [f] }))];
        PlainDecimal = new Regex(
            @"^\s*[+-]?([0-9]+)(?:" + Regex.Escape(decimalSeparator) + @"([0-9]+))?\s*$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public string DecimalSeparator { get; }

    public ValueConverter Values { get; }

    public ValueConverter[] Dates { get; }

    public ValueConverter[] Timestamps { get; }

    public Regex PlainDecimal { get; }
}

/// <summary>What one column's sampled values allow: which types and formats still hold every value, nulls, distinct values.</summary>
internal sealed class ColumnProfile(string sourceName, TypeProbes probes, IReadOnlyCollection<string> nullMarkers)
{
    private const int MaxDistinct = 100_000;
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    private readonly bool[] _dates = [.. TypeProbes.DateFormats.Select(_ => true)];
    private readonly bool[] _timestamps = [.. TypeProbes.TimestampFormats.Select(_ => true)];
    private bool _boolean = true, _int32 = true, _int64 = true, _decimal = true, _double = true;

    public string SourceName { get; } = sourceName;

    public long Nulls { get; private set; }

    public long NonNull { get; private set; }

    /// <summary>Gets the null markers seen in this column and how often.</summary>
    public Dictionary<string, long> MarkersSeen { get; } = new(StringComparer.Ordinal);

    public bool DistinctOverflow { get; private set; }

    public IReadOnlySet<string> Distinct => _distinct;

    public bool BooleanWords { get; private set; }

    public string? LeadingZeroExample { get; private set; }

    public int IntegerDigits { get; private set; }

    public int FractionDigits { get; private set; }

    public string? NotNumber { get; private set; }

    public string? NotDate { get; private set; }

    public string? NotTimestamp { get; private set; }

    public string? NotInt64 { get; private set; }

    public string? NotDecimal { get; private set; }

    /// <summary>Gets the files the column is missing from.</summary>
    public int FilesWithout { get; set; }

    public void Add(string? text)
    {
        if (text is null || nullMarkers.Contains(text))
        {
            Nulls++;
            if (text is not null)
            {
                MarkersSeen[text] = MarkersSeen.GetValueOrDefault(text) + 1;
            }

            return;
        }

        NonNull++;
        if (!DistinctOverflow)
        {
            if (!_distinct.Add(text))
            {
                return; // the same text gives the same verdicts
            }

            if (_distinct.Count >= MaxDistinct)
            {
                DistinctOverflow = true;
            }
        }

        var v = probes.Values;
        if (_boolean && v.TryConvert(text, ColumnType.Boolean, out _) is not null)
        {
            _boolean = false;
        }
        else if (_boolean && text.Trim() is not ("0" or "1"))
        {
            BooleanWords = true;
        }

        if (_int32 && v.TryConvert(text, ColumnType.Int32, out _) is not null)
        {
            _int32 = false;
        }

        if (_int64 && v.TryConvert(text, ColumnType.Int64, out _) is not null)
        {
            _int64 = false;
            NotInt64 = text;
        }

        var trimmed = text.Trim();
        if (LeadingZeroExample is null && trimmed.Length > 1 && trimmed[0] == '0' && char.IsAsciiDigit(trimmed[1]) && trimmed.All(char.IsAsciiDigit))
        {
            LeadingZeroExample = text;
        }

        if (_decimal)
        {
            var match = probes.PlainDecimal.Match(text);
            if (!match.Success)
            {
                _decimal = false;
                NotDecimal = text;
            }
            else
            {
                var integer = match.Groups[1].Value.TrimStart('0').Length;
                var fraction = match.Groups[2].Success ? match.Groups[2].Value.Length : 0;
                IntegerDigits = Math.Max(IntegerDigits, integer);
                FractionDigits = Math.Max(FractionDigits, fraction);
                if (IntegerDigits + FractionDigits > ColumnType.MaxDecimalPrecision)
                {
                    _decimal = false;
                    NotDecimal = text;
                }
            }
        }

        if (_double && v.TryConvert(text, ColumnType.Double, out _) is not null)
        {
            _double = false;
        }

        if (!_double && !_decimal && NotNumber is null)
        {
            NotNumber = text;
        }

        Probe(_dates, probes.Dates, ColumnType.Date, text, NotDate is null ? t => NotDate = t : null);
        Probe(_timestamps, probes.Timestamps, ColumnType.Timestamp, text, NotTimestamp is null ? t => NotTimestamp = t : null);
    }

    private static void Probe(bool[] alive, ValueConverter[] converters, ColumnType type, string text, Action<string>? lastDied)
    {
        var any = false;
        for (var i = 0; i < alive.Length; i++)
        {
            if (alive[i] && converters[i].TryConvert(text, type, out _) is not null)
            {
                alive[i] = false;
            }

            any |= alive[i];
        }

        if (!any)
        {
            lastDied?.Invoke(text);
        }
    }

    /// <summary>The narrowest type that holds every sampled value, its format (date, timestamp) and why.</summary>
    public (ColumnType Type, string? Format, string Reason) Decide()
    {
        if (NonNull == 0)
        {
            return (ColumnType.String, null, Nulls == 0 ? "no values in the sample: string until a file shows more" : "only nulls in the sample: string until a file shows more");
        }

        if (LeadingZeroExample is not null && _int64)
        {
            return (ColumnType.String, null, $"text, not a number: identifiers with leading zeros such as \"{LeadingZeroExample}\" would lose them as numbers");
        }

        if (_boolean && BooleanWords)
        {
            return (ColumnType.Boolean, null, "every value is a boolean word (true/false, yes/no, y/n, t/f, 1/0)");
        }

        if (_int32)
        {
            return (ColumnType.Int32, null, _boolean
                ? "every value is 0 or 1: int32 (boolean would hold them too; change the type if they are flags)"
                : "every value is a whole number within int32");
        }

        if (_int64)
        {
            return (ColumnType.Int64, null, "every value is a whole number, some beyond int32");
        }

        if (_decimal && IntegerDigits + FractionDigits >= 1)
        {
            var precision = Math.Max(1, IntegerDigits + FractionDigits);
            var type = ColumnType.Decimal(precision, FractionDigits);
            return (type, null, string.Create(
                CultureInfo.InvariantCulture,
                $"every value is a plain decimal with at most {IntegerDigits} digits before and {FractionDigits} after the separator \"{probes.DecimalSeparator}\": decimal keeps amounts exact (widening the precision later is a compatible change)"));
        }

        if (_double)
        {
            return (ColumnType.Double, null, NotDecimal is { } d
                ? $"every value is a number, some not a plain decimal (\"{d}\"): double"
                : "every value is a number: double");
        }

        var date = Array.IndexOf(_dates, true);
        if (date >= 0)
        {
            var also = _dates.Index().Skip(date + 1).Where(p => p.Item && Ambiguous(TypeProbes.DateFormats[date], TypeProbes.DateFormats[p.Index])).Select(p => TypeProbes.DateFormats[p.Index]).ToList();
            return (ColumnType.Date, TypeProbes.DateFormats[date], $"every value is a date as {TypeProbes.DateFormats[date]}"
                + (also.Count > 0 ? $" (ambiguous: every value also reads as {string.Join(" or ", also)}; check which the exporter writes)" : string.Empty));
        }

        var stamp = Array.IndexOf(_timestamps, true);
        if (stamp >= 0)
        {
            var format = TypeProbes.TimestampFormats[stamp];
            return (ColumnType.Timestamp, format, format.Length == 0 ? "every value is an ISO 8601 timestamp" : $"every value is a timestamp as {format}");
        }

        var example = NotTimestamp ?? NotDate ?? NotNumber;
        return (ColumnType.String, null, example is null ? "text" : $"text: values such as \"{example}\" are no number, date or timestamp");
    }

    /// <summary>Day-first and month-first forms of the same separators both read every value: the data cannot tell them apart.</summary>
    private static bool Ambiguous(string chosen, string other)
        => chosen.Replace("dd", "d", StringComparison.Ordinal).Replace("MM", "M", StringComparison.Ordinal) is var a
           && other.Replace("dd", "d", StringComparison.Ordinal).Replace("MM", "M", StringComparison.Ordinal) is var b
           && a != b && a.Length == b.Length && a.Replace('d', '#').Replace('M', '#') == b.Replace('d', '#').Replace('M', '#');
}
