using Ingest.Definitions;
using Ingest.Engine.Conversion;

namespace Ingest.Tests.Engine.Conversion;

public sealed class ValueConverterTests
{
    private static readonly ValueConverter Csv = new(new SourceDefinition { Format = SourceFormat.Csv });

    [Theory]
    [InlineData("1.00000000000000000000000000001")]
    [InlineData("0.0000000000000000000000000000001")]
    [InlineData("-7.250000000000000000000000000000009")]
    public void TryConvert_DecimalWithMoreDigitsThanSystemDecimalHolds_IsRejectedNotRounded(string text)
    {
        var problem = Csv.TryConvert(text, ColumnType.Decimal(10, 2), out var value);

        problem.Should().Be("has more than 2 decimal places", $"{text} is not a decimal(10,2) value; it must not silently become {value}");
    }

    [Theory]
    [InlineData("1.5000000000000000000000000000000", 1.5)]
    [InlineData("+12.30", 12.3)]
    [InlineData(" -0.01 ", -0.01)]
    public void TryConvert_DecimalWithinScale_Converts(string text, double expected)
    {
        Csv.TryConvert(text, ColumnType.Decimal(10, 2), out var value).Should().BeNull();
        value.Should().Be((decimal)expected);
    }

    [Theory]
    [InlineData("2024-05-01T10:15:30.123456789Z", "2024-05-01T10:15:30.1234560Z")]
    [InlineData("2024-05-01 10:15:30.12345678+02:00", "2024-05-01T08:15:30.1234560Z")]
    [InlineData("2024-05-01T10:15:30.000000001", "2024-05-01T10:15:30.0000000Z")]
    public void TryConvert_IsoTimestampWithMoreThanSevenFractionDigits_IsTruncatedToMicroseconds(string text, string expected)
    {
        // ISO 8601 allows any number of fraction digits; nanoseconds are common (Java, Go, pandas exports).
        Csv.TryConvert(text, ColumnType.Timestamp, out var value).Should().BeNull();
        ((DateTime)value!).ToString("O", System.Globalization.CultureInfo.InvariantCulture).Should().Be(expected);
    }

    [Theory]
    [InlineData("0001-01-01T00:30:00+01:00")]
    [InlineData("9999-12-31T23:30:00-01:00")]
    public void TryConvert_OffsetTimestampOutsideTheUtcRange_IsRejectedNotShifted(string text)
    {
        // 0001-01-01T00:30+01:00 is 0000-12-31T23:30Z, before the first representable instant.
        var problem = Csv.TryConvert(text, ColumnType.Timestamp, out var value);

        problem.Should().NotBeNull($"{text} has no UTC representation; it must not become {value}");
    }

    [Theory]
    [InlineData("2024-10-27T02:30:00+02:00", "2024-10-27T00:30:00.0000000Z")]
    [InlineData("2024-10-27T02:30:00+01:00", "2024-10-27T01:30:00.0000000Z")]
    [InlineData("2024-03-31T02:30:00+00:00", "2024-03-31T02:30:00.0000000Z")]
    [InlineData("2024-05-01T10:00:00-05:30", "2024-05-01T15:30:00.0000000Z")]
    public void TryConvert_TimestampWithOffset_IsTheSameInstantInUtc(string text, string expected)
    {
        Csv.TryConvert(text, ColumnType.Timestamp, out var value).Should().BeNull();
        ((DateTime)value!).ToString("O", System.Globalization.CultureInfo.InvariantCulture).Should().Be(expected);
    }
}
