using Ingest.Definitions;

namespace Ingest.Tests.Definitions;

public sealed class ColumnTypeTests
{
    public static TheoryData<string, ColumnKind, int, int> Parsable => new()
    {
        { "string", ColumnKind.String, 0, 0 },
        { "boolean", ColumnKind.Boolean, 0, 0 },
        { "int32", ColumnKind.Int32, 0, 0 },
        { "int64", ColumnKind.Int64, 0, 0 },
        { "float", ColumnKind.Float, 0, 0 },
        { "double", ColumnKind.Double, 0, 0 },
        { "date", ColumnKind.Date, 0, 0 },
        { "timestamp", ColumnKind.Timestamp, 0, 0 },
        { "decimal(18,2)", ColumnKind.Decimal, 18, 2 },
        { "decimal(1,0)", ColumnKind.Decimal, 1, 0 },
        { "decimal(28,28)", ColumnKind.Decimal, 28, 28 },
        { " decimal( 10 , 3 ) ", ColumnKind.Decimal, 10, 3 },
    };

    [Theory]
    [MemberData(nameof(Parsable))]
    public void Parse_KnownType_ReturnsKindPrecisionScale(string text, ColumnKind kind, int precision, int scale)
    {
        var type = ColumnType.Parse(text);

        type.Kind.Should().Be(kind);
        type.Precision.Should().Be(precision);
        type.Scale.Should().Be(scale);
    }

    [Theory]
    [InlineData("string")]
    [InlineData("int64")]
    [InlineData("timestamp")]
    [InlineData("decimal(18,2)")]
    [InlineData("decimal(28,0)")]
    public void ToString_ParsedType_FormatsCanonicalText(string text)
        => ColumnType.Parse(text).ToString().Should().Be(text);

    [Theory]
    [InlineData("")]
    [InlineData("String")]
    [InlineData("int")]
    [InlineData("varchar")]
    [InlineData("decimal")]
    [InlineData("decimal(18)")]
    [InlineData("decimal(0,0)")]
    [InlineData("decimal(29,2)")]
    [InlineData("decimal(38,2)")]
    [InlineData("decimal(5,6)")]
    [InlineData("decimal(-1,0)")]
    [InlineData("decimal(10,2,1)")]
    [InlineData("decimal(a,b)")]
    public void TryParse_UnknownText_ReturnsFalse(string text)
        => ColumnType.TryParse(text, out _).Should().BeFalse();

    [Fact]
    public void TryParse_Null_ReturnsFalse() => ColumnType.TryParse(null, out _).Should().BeFalse();

    [Fact]
    public void Parse_UnknownText_ThrowsFormatExceptionListingTypes()
    {
        var act = () => ColumnType.Parse("money");

        act.Should().Throw<FormatException>().WithMessage("'money' is not a column type: expected string, boolean, int32, int64, float, double, decimal(p,s)*");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(29, 0)]
    [InlineData(10, -1)]
    [InlineData(10, 11)]
    public void Decimal_OutOfRange_Throws(int precision, int scale)
    {
        var act = () => ColumnType.Decimal(precision, scale);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Decimal_SamePrecisionAndScale_EqualsParsed()
        => ColumnType.Decimal(12, 4).Should().Be(ColumnType.Parse("decimal(12,4)"));

    /// <summary>(previous, next, widening): whether next can read every value of previous.</summary>
    public static TheoryData<string, string, bool> Widening => new()
    {
        { "int32", "int32", true },
        { "int32", "int64", true },
        { "float", "double", true },
        { "decimal(10,2)", "decimal(12,2)", true },
        { "decimal(10,2)", "decimal(10,2)", true },
        { "int64", "int32", false },
        { "double", "float", false },
        { "decimal(12,2)", "decimal(10,2)", false },
        { "decimal(10,2)", "decimal(12,3)", false },
        { "decimal(10,2)", "decimal(10,1)", false },
        { "int32", "double", false },
        { "int64", "decimal(28,0)", false },
        { "string", "int32", false },
        { "int32", "string", false },
        { "date", "timestamp", false },
        { "boolean", "int32", false },
    };

    [Theory]
    [MemberData(nameof(Widening))]
    public void IsWideningOf_TypePair_MatchesTable(string previous, string next, bool expected)
        => ColumnType.Parse(next).IsWideningOf(ColumnType.Parse(previous)).Should().Be(expected);
}
