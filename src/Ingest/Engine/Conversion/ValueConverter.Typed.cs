using Ingest.Definitions;

namespace Ingest.Engine.Conversion;

/// <summary>The typed hand-over: values that arrive typed are converted without text where their type is the column's.</summary>
internal sealed partial class ValueConverter
{
    /// <summary>10 to the power of 0 to 28: every power a decimal holds.</summary>
    private static readonly decimal[] DecimalPowers = [.. Enumerable.Range(0, 29).Select(e => Enumerable.Repeat(10m, e).Aggregate(1m, (a, b) => a * b))];

    private bool? _markersLookTyped;

    /// <summary>
    /// Converts a value that arrived typed (<see cref="TypedKind"/>) where its source type is the column's (or a whole
    /// number that widens to it): the value as it is, in its physical form when <paramref name="physical"/> (the slot then
    /// <see cref="PhysicalValue.InBits"/>), else as an object. Returns <see langword="false"/> for anything else (another
    /// type, a decimal that does not fit the column, a double that is not finite, null markers that could equal a typed
    /// value's text): the caller then converts the value's invariant text with <see cref="TryConvert"/>, which gives the
    /// value with the same rules and the same reason when it is not one as for a text source.
    /// </summary>
    public bool TryConvertTyped(TypedKind kind, long source, decimal number, ColumnType type, bool physical, out object? value, out long bits)
    {
        value = null;
        bits = 0;
        if (_markersLookTyped ??= MarkersLookTyped())
        {
            return false;
        }

        switch (type.Kind)
        {
            case ColumnKind.Int32 when kind == TypedKind.Int32:
                bits = source;
                value = physical ? PhysicalValue.InBits : Box((int)source);
                return true;
            case ColumnKind.Int64 when kind is TypedKind.Int64 or TypedKind.Int32:
            case ColumnKind.Boolean when kind == TypedKind.Boolean:
            case ColumnKind.Date when kind == TypedKind.Date:
            case ColumnKind.Timestamp when kind == TypedKind.Timestamp:
                bits = source;
                value = physical ? PhysicalValue.InBits : PhysicalValue.ToClr(source, type);
                return true;
            case ColumnKind.Double when kind == TypedKind.Double && double.IsFinite(BitConverter.Int64BitsToDouble(source)):
                bits = source;
                value = physical ? PhysicalValue.InBits : BitConverter.Int64BitsToDouble(source);
                return true;
            case ColumnKind.Decimal when kind == TypedKind.Decimal && FitsTypedDecimal(number, type):
                if (physical && type.Precision <= 18)
                {
                    bits = Unscaled(number, type.Scale);
                    value = PhysicalValue.InBits;
                }
                else
                {
                    value = decimal.Round(number, type.Scale, MidpointRounding.ToEven);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// <see cref="RowProcessor.FitsDecimal"/>, without its rounding and its loop when the value has no more fraction
    /// digits than the column (then rounding cannot change it, and its whole part is below the limit exactly when the value is).
    /// </summary>
    private static bool FitsTypedDecimal(decimal number, ColumnType type)
    {
        var integerDigits = type.Precision - type.Scale;
        return number.Scale <= type.Scale && integerDigits >= 0 && integerDigits < DecimalPowers.Length
            ? Math.Abs(number) < DecimalPowers[integerDigits]
            : RowProcessor.FitsDecimal(number, type);
    }

    /// <summary>The unscaled value of a decimal that fits a column of at most 18 digits and <paramref name="scale"/>.</summary>
    private static long Unscaled(decimal number, int scale)
    {
        if (number.Scale != scale)
        {
            return (long)(number * Pow10(scale));
        }

        Span<int> parts = stackalloc int[4];
        decimal.GetBits(number, parts);
        var magnitude = (long)(((ulong)(uint)parts[1] << 32) | (uint)parts[0]);
        return parts[3] < 0 ? -magnitude : magnitude;
    }

    /// <summary>Whether a null marker could be the invariant text of a typed value (then typed values are converted as text, markers and all).</summary>
    private bool MarkersLookTyped() => _nullMarkers.Any(m => m.Length > 0
        && (m.All(c => char.IsAsciiDigit(c) || c is '-' or '+' or '.' or ':' or 'T' or 'Z' or 'E')
            || m is "true" or "false"));
}
