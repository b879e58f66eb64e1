using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Definitions;

/// <summary>The closed set of column kinds of the typed schema.</summary>
public enum ColumnKind
{
    /// <summary>UTF-8 text.</summary>
    String,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>32-bit signed integer.</summary>
    Int32,

    /// <summary>64-bit signed integer.</summary>
    Int64,

    /// <summary>32-bit IEEE 754 floating point.</summary>
    Float,

    /// <summary>64-bit IEEE 754 floating point.</summary>
    Double,

    /// <summary>Fixed-point decimal with a precision and a scale.</summary>
    Decimal,

    /// <summary>A calendar date without time zone.</summary>
    Date,

    /// <summary>An instant in UTC with microsecond resolution.</summary>
    Timestamp,
}

/// <summary>
/// A column type of the typed schema. Written in definitions as <c>string</c>, <c>boolean</c>,
/// <c>int32</c>, <c>int64</c>, <c>float</c>, <c>double</c>, <c>decimal(p,s)</c>, <c>date</c> or <c>timestamp</c>.
/// </summary>
[JsonConverter(typeof(ColumnTypeJsonConverter))]
public readonly record struct ColumnType
{
    /// <summary>The largest decimal precision supported: 28 digits, what <see cref="decimal"/> holds exactly (Athena allows 38).</summary>
    public const int MaxDecimalPrecision = 28;

    private ColumnType(ColumnKind kind, int precision, int scale)
    {
        Kind = kind;
        Precision = precision;
        Scale = scale;
    }

    /// <summary>Gets the kind.</summary>
    public ColumnKind Kind { get; }

    /// <summary>Gets the decimal precision (total digits); 0 for other kinds.</summary>
    public int Precision { get; }

    /// <summary>Gets the decimal scale (digits after the point); 0 for other kinds.</summary>
    public int Scale { get; }

    /// <summary>
    /// Gets the CLR type of this column's values in a typed row (<see cref="Engine.IngestRow"/>): <see cref="string"/>,
    /// <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="float"/>, <see cref="double"/>,
    /// <see cref="decimal"/>, <see cref="DateOnly"/> or <see cref="DateTime"/> (UTC) for a timestamp.
    /// </summary>
    public Type ClrType => InvariantValues.ClrType(this);

    /// <summary>The <c>string</c> type.</summary>
    public static ColumnType String { get; } = new(ColumnKind.String, 0, 0);

    /// <summary>The <c>boolean</c> type.</summary>
    public static ColumnType Boolean { get; } = new(ColumnKind.Boolean, 0, 0);

    /// <summary>The <c>int32</c> type.</summary>
    public static ColumnType Int32 { get; } = new(ColumnKind.Int32, 0, 0);

    /// <summary>The <c>int64</c> type.</summary>
    public static ColumnType Int64 { get; } = new(ColumnKind.Int64, 0, 0);

    /// <summary>The <c>float</c> type.</summary>
    public static ColumnType Float { get; } = new(ColumnKind.Float, 0, 0);

    /// <summary>The <c>double</c> type.</summary>
    public static ColumnType Double { get; } = new(ColumnKind.Double, 0, 0);

    /// <summary>The <c>date</c> type.</summary>
    public static ColumnType Date { get; } = new(ColumnKind.Date, 0, 0);

    /// <summary>The <c>timestamp</c> type (UTC, microseconds).</summary>
    public static ColumnType Timestamp { get; } = new(ColumnKind.Timestamp, 0, 0);

    /// <summary>Creates <c>decimal(precision,scale)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Precision is not 1–38 or scale is not 0–precision.</exception>
    public static ColumnType Decimal(int precision, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxDecimalPrecision);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, precision);
        return new ColumnType(ColumnKind.Decimal, precision, scale);
    }

    /// <summary>Parses the textual form used in definitions.</summary>
    /// <exception cref="FormatException">The text is not a known type.</exception>
    public static ColumnType Parse(string text)
        => TryParse(text, out var type) ? type : throw new FormatException(
            $"'{text}' is not a column type: expected string, boolean, int32, int64, float, double, decimal(p,s) with 1 <= p <= 28 and 0 <= s <= p, date or timestamp.");

    /// <summary>Tries to parse the textual form used in definitions.</summary>
    public static bool TryParse(string? text, out ColumnType type)
    {
        type = default;
        if (text is null)
        {
            return false;
        }

        var t = text.Trim();
        switch (t)
        {
            case "string": type = String; return true;
            case "boolean": type = Boolean; return true;
            case "int32": type = Int32; return true;
            case "int64": type = Int64; return true;
            case "float": type = Float; return true;
            case "double": type = Double; return true;
            case "date": type = Date; return true;
            case "timestamp": type = Timestamp; return true;
        }

        if (!t.StartsWith("decimal(", StringComparison.Ordinal) || !t.EndsWith(')'))
        {
            return false;
        }

        var inner = t["decimal(".Length..^1].Split(',');
        if (inner.Length != 2
            || !int.TryParse(inner[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || !int.TryParse(inner[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            || p < 1 || p > MaxDecimalPrecision || s < 0 || s > p)
        {
            return false;
        }

        type = new ColumnType(ColumnKind.Decimal, p, s);
        return true;
    }

    /// <summary>
    /// Returns whether values of <paramref name="previous"/> can always be read as this type without loss:
    /// the same type, int32→int64, float→double, or a decimal with the same scale and a larger precision.
    /// </summary>
    public bool IsWideningOf(ColumnType previous)
    {
        if (this == previous)
        {
            return true;
        }

        return (previous.Kind, Kind) switch
        {
            (ColumnKind.Int32, ColumnKind.Int64) => true,
            (ColumnKind.Float, ColumnKind.Double) => true,
            (ColumnKind.Decimal, ColumnKind.Decimal) => Scale == previous.Scale && Precision > previous.Precision,
            _ => false,
        };
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ColumnKind.String => "string",
        ColumnKind.Boolean => "boolean",
        ColumnKind.Int32 => "int32",
        ColumnKind.Int64 => "int64",
        ColumnKind.Float => "float",
        ColumnKind.Double => "double",
        ColumnKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})"),
        ColumnKind.Date => "date",
        ColumnKind.Timestamp => "timestamp",
        _ => Kind.ToString(),
    };
}

internal sealed class ColumnTypeJsonConverter : JsonConverter<ColumnType>
{
    public override ColumnType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A column type must be a string such as \"int64\" or \"decimal(18,2)\".");
        }

        var text = reader.GetString();
        return ColumnType.TryParse(text, out var type)
            ? type
            : throw new JsonException($"'{text}' is not a column type: expected string, boolean, int32, int64, float, double, decimal(p,s), date or timestamp.");
    }

    public override void Write(Utf8JsonWriter writer, ColumnType value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString());
}
