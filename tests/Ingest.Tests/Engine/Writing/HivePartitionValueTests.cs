using Ingest.Engine.Writing;

namespace Ingest.Tests.Engine.Writing;

public sealed class HivePartitionValueTests
{
    [Theory]
    [InlineData("Mass movement (dry)", "Mass movement (dry)")]
    [InlineData("../etc", "..%2Fetc")]
    [InlineData("a/b=c%d:e?\"f#g'h*i\\j{k[l]m^n\u007f\u0001 ü", "a%2Fb%3Dc%25d%3Ae%3F%22f%23g%27h%2Ai%5Cj%7Bk%5Bl%5Dm%5En%7F%01 ü")]
    [InlineData("line\nbreak", "line%0Abreak")]
    public void TryEncode_EncodesAsHiveAndDecodeRestores(string value, string folder)
    {
        HivePartitionValue.TryEncode(value, out var problem).Should().Be(folder);
        problem.Should().BeNull();
        HivePartitionValue.Decode(folder).Should().Be(value);
    }

    [Theory]
    [InlineData("", "an empty text reads back as null in a Hive layout")]
    [InlineData("__HIVE_DEFAULT_PARTITION__", "it is the folder name of null values (__HIVE_DEFAULT_PARTITION__)")]
    [InlineData("a\0b", "it holds a NUL character")]
    public void TryEncode_ValueWithoutAFolderForm_SaysWhy(string value, string expected)
    {
        HivePartitionValue.TryEncode(value, out var problem).Should().BeNull();
        problem.Should().Be(expected);
    }

    [Fact]
    public void TryEncode_UnpairedSurrogate_IsRefused()
    {
        // Built here: xunit would replace a lone surrogate in InlineData before the test sees it.
        HivePartitionValue.TryEncode("a" + (char)0xD800, out var problem).Should().BeNull();
        problem.Should().Be("it holds an unpaired UTF-16 surrogate, which has no UTF-8 form");
    }

    [Fact]
    public void TryEncode_LongerThanTheLimitOnceEncoded_IsRefused()
    {
        HivePartitionValue.TryEncode(new string('/', 171), out var problem).Should().BeNull();
        problem.Should().Be("its folder form is longer than 512 bytes");
        HivePartitionValue.TryEncode(new string('/', 170), out _).Should().HaveLength(510);
    }

    [Fact]
    public void Decode_PercentWithoutTwoHexDigits_StaysAsItIs()
        => HivePartitionValue.Decode("100%").Should().Be("100%");
}
