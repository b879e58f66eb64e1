using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Ingest.Engine.Writing;

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

    [Theory]
    [InlineData("12.50")]
    [InlineData("1.500")]
    [InlineData("0012.5")]
    [InlineData("-3")]
    [InlineData("+0.07")]
    [InlineData("-0.00")]
    [InlineData("9999999999999999.99")]
    [InlineData("123456789012345678")]
    [InlineData("0.000000000000000001")]
    public void TryConvert_PlainDecimal_HasTheValueAndScaleOfTheGeneralParser(string text)
    {
        // The fast path for plain decimals must give exactly what decimal.Parse and Round give, scale included
        // (1.500 → 1.50, 12.5 stays 12.5): the Parquet writer and merge keys see these values.
        var type = ColumnType.Decimal(18, 2);
        var problem = Csv.TryConvert(text, type, out var value);

        var reference = decimal.Parse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture);
        if (decimal.Round(reference, 2) != reference || Math.Abs(decimal.Truncate(reference)) >= 10_000_000_000_000_000m)
        {
            problem.Should().NotBeNull();
            return;
        }

        problem.Should().BeNull();
        decimal.GetBits((decimal)value!).Should().Equal(decimal.GetBits(decimal.Round(reference, 2)));
    }

    [Theory]
    [InlineData("12345678901234567.5", "does not fit: at most 16 digits before the decimal point")]
    [InlineData("1.234", "has more than 2 decimal places")]
    [InlineData("1,5", "expected a decimal number (the decimal separator is \".\", no group separators)")]
    [InlineData("5.", null)]
    [InlineData(".5", null)]
    public void TryConvert_DecimalOutsideTheFastPath_GetsTheGeneralAnswer(string text, string? problem)
        => Csv.TryConvert(text, ColumnType.Decimal(18, 2), out _).Should().Be(problem);

    [Theory]
    [InlineData("2024-05-01 10:15:30")]
    [InlineData("2024-05-01T10:15:30")]
    [InlineData("2024-05-01T10:15:30Z")]
    [InlineData("2024-02-29 23:59:59.9999999")]
    [InlineData("2024-05-01 10:15:30.5")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("9999-12-31T23:59:59.999999999Z")]
    public void TryConvert_IsoTimestampInUtc_IsTheInstantTheGeneralParserGives(string text)
    {
        var formats = new[] { "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK" };
        var trimmed = text.Length > 27 ? text[..27] + (text.EndsWith('Z') ? "Z" : "") : text;
        var reference = DateTime.ParseExact(trimmed, formats, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

        Csv.TryConvert(text, ColumnType.Timestamp, out var value).Should().BeNull();

        var stamp = (DateTime)value!;
        stamp.Kind.Should().Be(DateTimeKind.Utc);
        stamp.Ticks.Should().Be(reference.Ticks - (reference.Ticks % 10));
    }

    [Theory]
    [InlineData("2023-02-29 10:00:00")]
    [InlineData("2024-13-01 10:00:00")]
    [InlineData("2024-05-01 24:00:00")]
    [InlineData("2024-05-01 10:60:00")]
    [InlineData("0000-05-01 10:00:00")]
    public void TryConvert_IsoTimestampThatIsNotATime_IsRejected(string text)
        => Csv.TryConvert(text, ColumnType.Timestamp, out _).Should().Be("expected an ISO 8601 timestamp such as 2024-05-01T10:15:00Z");

    [Fact]
    public void TryConvert_IsoTimestampInAnotherTimeZone_IsConvertedFromThatZone()
    {
        var berlin = new ValueConverter(new SourceDefinition { Format = SourceFormat.Csv, TimeZone = "Europe/Berlin" });

        berlin.TryConvert("2024-07-01 12:00:00", ColumnType.Timestamp, out var value).Should().BeNull();

        ((DateTime)value!).Should().Be(new DateTime(2024, 7, 1, 10, 0, 0, DateTimeKind.Utc));
    }

    [Theory]
    [InlineData("2024-02-29", true)]
    [InlineData("2023-02-29", false)]
    [InlineData("0001-01-01", true)]
    [InlineData("9999-12-31", true)]
    [InlineData(" 2024-05-01 ", true)]
    [InlineData("2024-5-1", false)]
    [InlineData("2024-13-01", false)]
    public void TryConvert_IsoDate_IsWhatTheGeneralParserGives(string text, bool valid)
    {
        var problem = Csv.TryConvert(text, ColumnType.Date, out var value);

        if (valid)
        {
            problem.Should().BeNull();
            value.Should().Be(DateOnly.ParseExact(text.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            problem.Should().Be("expected a date as yyyy-MM-dd");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("007")]
    [InlineData("123456789")]
    [InlineData("-123456789")]
    [InlineData("2147483647")]
    [InlineData("-2147483648")]
    [InlineData("2147483648")]
    [InlineData("999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775808")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("1,000")]
    [InlineData("12a")]
    [InlineData("-")]
    [InlineData("--1")]
    [InlineData("1.0")]
    [InlineData("٣")]
    public void TryConvert_WholeNumbers_AreWhatTheGeneralParserGives(string text)
    {
        const System.Globalization.NumberStyles style = System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowLeadingWhite | System.Globalization.NumberStyles.AllowTrailingWhite;
        var inv = System.Globalization.CultureInfo.InvariantCulture;

        var intProblem = Csv.TryConvert(text, ColumnType.Int32, out var intValue);
        var longProblem = Csv.TryConvert(text, ColumnType.Int64, out var longValue);

        if (int.TryParse(text, style, inv, out var i))
        {
            intProblem.Should().BeNull();
            intValue.Should().Be(i);
        }
        else
        {
            intProblem.Should().NotBeNull();
        }

        if (long.TryParse(text, style, inv, out var l))
        {
            longProblem.Should().BeNull();
            longValue.Should().Be(l);
        }
        else
        {
            longProblem.Should().NotBeNull();
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("0.1")]
    [InlineData("-123.456")]
    [InlineData("999999999999999")]
    [InlineData("9999999999999999")]
    [InlineData("0.000000000000001")]
    [InlineData("123456789.012345")]
    [InlineData("1e5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("+1.5")]
    [InlineData(" 1.5")]
    [InlineData("1.5.5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1,5")]
    public void TryConvert_Doubles_AreExactlyWhatTheGeneralParserGives(string text)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;

        var problem = Csv.TryConvert(text, ColumnType.Double, out var value);

        if (double.TryParse(text, System.Globalization.NumberStyles.Float, inv, out var expected) && double.IsFinite(expected))
        {
            problem.Should().BeNull();
            BitConverter.DoubleToInt64Bits((double)value!).Should().Be(BitConverter.DoubleToInt64Bits(expected), "the same bits, sign of zero included");
        }
        else
        {
            problem.Should().NotBeNull();
        }
    }

    [Fact]
    public void TryConvert_RandomPlainDoubles_AreBitForBitWhatTheGeneralParserGives()
    {
        var random = new Random(11);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (var i = 0; i < 200_000; i++)
        {
            var integer = random.NextInt64(0, 10_000_000_000);
            var fraction = random.Next(0, 1_000_000);
            var text = $"{(random.Next(2) == 0 ? "-" : string.Empty)}{integer}.{fraction.ToString(inv).PadLeft(random.Next(1, 7), '0')}";

            Csv.TryConvert(text, ColumnType.Double, out var value).Should().BeNull();
            var expected = double.Parse(text, inv);
            if (BitConverter.DoubleToInt64Bits((double)value!) != BitConverter.DoubleToInt64Bits(expected))
            {
                throw new Xunit.Sdk.XunitException($"{text}: {value:R} instead of {expected:R}");
            }
        }
    }

    public static TheoryData<string> FastPathTexts =>
    [
        "", "NULL", "null", "0", "-0", "42", "-17", "007", "2147483647", "2147483648", "999999999999999999",
        "9223372036854775807", "1.5", "-0.25", "0.000000000000001", "123456789012345.6", "1e3", "+1", " 1", "1,000",
        "10.005", "99999999999999999.99", "2024-02-29", "2023-02-29", "2024-05-01T10:15:30Z", "2024-05-01 10:15:30.1234567",
        "2024-05-01T10:15:30+02:00", "2024-13-01T00:00:00Z", "true", "abc", "٣",
        "7", "10.50", "-3.1", "0.10", "-0.0", "false", "1", "yes", " true", "TRUE", "1969-12-31", "0001-01-01", "9999-12-31",
        "1969-12-31T23:59:59.9999999Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "2024-05-01T10:15:30.123456789Z",
    ];

    [Theory]
    [MemberData(nameof(FastPathTexts))]
    public void TryConvertFast_WhenItAnswers_IsWhatTryConvertGives(string text)
    {
        var converter = new ValueConverter(new SourceDefinition { Format = SourceFormat.Csv, NullMarkers = ["", "NULL"] });
        ColumnType[] types = [ColumnType.Int32, ColumnType.Int64, ColumnType.Double, ColumnType.Decimal(18, 2), ColumnType.Decimal(28, 10), ColumnType.Date, ColumnType.Timestamp, ColumnType.Boolean];
        foreach (var type in types)
        {
            var problem = converter.TryConvert(text, type, out var expected);
            if (converter.TryConvertFast(text.AsSpan(), type, out var fast))
            {
                problem.Should().BeNull($"the fast path accepted \"{text}\" as {type}");
                fast.Should().Be(expected, $"\"{text}\" as {type}");
                if (fast is not null)
                {
                    fast.GetType().Should().Be(expected!.GetType());
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(FastPathTexts))]
    public void TryConvertPhysical_WhenItAnswers_IsWhatTheWriterStoresForTryConvertsValue(string text)
    {
        var converter = new ValueConverter(new SourceDefinition { Format = SourceFormat.Csv, NullMarkers = ["", "NULL"] });
        ColumnType[] types = [ColumnType.Int32, ColumnType.Int64, ColumnType.Double, ColumnType.Decimal(18, 2), ColumnType.Decimal(12, 2), ColumnType.Decimal(18, 0), ColumnType.Date, ColumnType.Timestamp, ColumnType.Boolean];
        foreach (var type in types)
        {
            var problem = converter.TryConvert(text, type, out var expected);
            if (!converter.TryConvertPhysical(text.AsSpan(), type, out var bits, out var isNull))
            {
                continue;
            }

            problem.Should().BeNull($"the physical path accepted \"{text}\" as {type}");
            isNull.Should().Be(expected is null, $"\"{text}\" as {type}");
            if (isNull)
            {
                continue;
            }

            PhysicalValue.ToClr(bits, type).Should().Be(expected, $"\"{text}\" as {type}");
            var column = new ColumnDefinition { Name = "c", Type = type };
            var fromObject = ColumnBuffer.Create(column);
            fromObject.Add(expected);
            var fromBits = ColumnBuffer.Create(column);
            fromBits.AddPhysical(bits, null);
            Stored(fromBits).Should().Be(Stored(fromObject), $"\"{text}\" as {type}: the same physical value in the file");
        }
    }

    [Fact]
    public void TryConvertPhysical_StringsAndWideDecimals_AreLeftToTheObjectPath()
    {
        Csv.TryConvertPhysical("abc", ColumnType.String, out _, out _).Should().BeFalse();
        Csv.TryConvertPhysical("1.5", ColumnType.Decimal(28, 10), out _, out _).Should().BeFalse();
        Csv.TryConvertPhysical("1.5", ColumnType.Float, out _, out _).Should().BeFalse();
        PhysicalValue.Supports(ColumnType.Decimal(19, 2)).Should().BeFalse();
        PhysicalValue.Supports(ColumnType.Decimal(18, 2)).Should().BeTrue();
    }

    private static string Stored(ColumnBuffer buffer) => buffer switch
    {
        FixedColumnBuffer<int> b => $"int {b.Values[0]}",
        FixedColumnBuffer<long> b => $"long {b.Values[0]}",
        FixedColumnBuffer<double> b => $"double bits {BitConverter.DoubleToInt64Bits(b.Values[0])}",
        FixedColumnBuffer<bool> b => $"bool {b.Values[0]}",
        _ => throw new InvalidOperationException(buffer.GetType().Name),
    };
}
