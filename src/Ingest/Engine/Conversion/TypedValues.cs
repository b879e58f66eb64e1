using Ingest.Definitions;

namespace Ingest.Engine.Conversion;

/// <summary>The source type of a value that arrives typed (a Parquet column), in its physical form (ADR 0015).</summary>
internal enum TypedKind : byte
{
    /// <summary>Not a typed value: the field is text.</summary>
    None,

    /// <summary>A 32-bit (or smaller) whole number, as itself.</summary>
    Int32,

    /// <summary>A 64-bit whole number, as itself.</summary>
    Int64,

    /// <summary>A double, as its IEEE bits.</summary>
    Double,

    /// <summary>A boolean, as 0 or 1.</summary>
    Boolean,

    /// <summary>A date, as days since 1970-01-01.</summary>
    Date,

    /// <summary>A timestamp, as microseconds since 1970-01-01T00:00:00Z.</summary>
    Timestamp,

    /// <summary>A decimal, held as a <see cref="decimal"/> beside the bits.</summary>
    Decimal,
}

/// <summary>The invariant text and the physical form of typed values.</summary>
internal static class TypedValues
{
    /// <summary>
    /// The invariant text of a typed value: exactly what <see cref="InvariantValues.Format"/> gives for the CLR value
    /// the source reader read, so that a conversion that falls back to text, a rejection message and the quarantine
    /// see the same text as before the typed hand-over.
    /// </summary>
    public static string? Format(TypedKind kind, long bits, decimal number) => kind switch
    {
        TypedKind.Int32 => InvariantValues.Format((int)bits),
        TypedKind.Int64 => InvariantValues.Format(bits),
        TypedKind.Double => InvariantValues.Format(BitConverter.Int64BitsToDouble(bits)),
        TypedKind.Boolean => InvariantValues.Format(bits != 0),
        TypedKind.Date => InvariantValues.Format(PhysicalValue.ToDate(bits)),
        TypedKind.Timestamp => InvariantValues.Format(PhysicalValue.ToTimestamp(bits)),
        TypedKind.Decimal => InvariantValues.Format(number),
        _ => null,
    };

    /// <summary>
    /// Microseconds since 1970 (UTC) of a timestamp as <see cref="InvariantValues.Format"/> sees it: a time that is
    /// not UTC is converted with <see cref="DateTime.ToUniversalTime"/>, and ticks below a microsecond are dropped
    /// (towards the past, as the text's six fraction digits do).
    /// </summary>
    public static long FromTimestamp(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime();
        var ticks = utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMicrosecond);
        return (ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
    }
}
