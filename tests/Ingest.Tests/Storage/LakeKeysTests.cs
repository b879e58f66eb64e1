using Ingest.Storage;

namespace Ingest.Tests.Storage;

public sealed class LakeKeysTests
{
    [Theory]
    [InlineData("sales/orders/part-0001.parquet")]
    [InlineData("file.csv")]
    [InlineData("sales/orders/ordered_at_day=2024-05-01/part-r1-00000.parquet")]
    [InlineData("_staging/sales/orders/run-1/a b.parquet")]
    [InlineData("sales/orders/..hidden/x")]
    [InlineData("sales/orders/über.csv")]
    public void IsValid_RelativeKey_ReturnsTrue(string key) => LakeKeys.IsValid(key).Should().BeTrue();

    [Theory]
    [InlineData("../secrets")]
    [InlineData("sales/../../etc/passwd")]
    [InlineData("sales/./orders")]
    [InlineData("sales/..")]
    [InlineData("/sales/orders")]
    [InlineData("sales\\orders")]
    [InlineData("..\\orders")]
    [InlineData("sales//orders")]
    [InlineData("sales/orders/")]
    [InlineData("sales/or\nders")]
    [InlineData("sales/or\0ders")]
    [InlineData("sales/\torders")]
    [InlineData("sales/or\u007fders")]
    [InlineData("c:/orders")]
    [InlineData("sales/orders?x=1")]
    [InlineData("sales/*")]
    [InlineData("")]
    [InlineData(null)]
    public void IsValid_UnsafeKey_ReturnsFalse(string? key) => LakeKeys.IsValid(key).Should().BeFalse();

    [Fact]
    public void IsValid_LongerThan1024_ReturnsFalse()
    {
        LakeKeys.IsValid(new string('a', 1024)).Should().BeTrue();
        LakeKeys.IsValid(new string('a', 1025)).Should().BeFalse();
    }

    [Theory]
    [InlineData("sales/orders/")]
    [InlineData("sales/")]
    [InlineData("sales/orders/part-")]
    [InlineData("")]
    public void IsValid_PrefixAllowed_AcceptsTrailingSlashAndEmpty(string prefix)
        => LakeKeys.IsValid(prefix, allowPrefix: true).Should().BeTrue();

    [Theory]
    [InlineData("/")]
    [InlineData("sales//")]
    [InlineData("../")]
    [InlineData("/sales/")]
    [InlineData(null)]
    public void IsValid_PrefixAllowed_StillRejectsUnsafePrefix(string? prefix)
        => LakeKeys.IsValid(prefix, allowPrefix: true).Should().BeFalse();

    [Fact]
    public void EnsureValid_Traversal_ThrowsNamingKey()
    {
        var act = () => LakeKeys.EnsureValid("a/../b");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "key" && e.Message.StartsWith("'a/../b' is not a valid lake key", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureValid_ValidPrefix_DoesNotThrow()
    {
        var act = () => LakeKeys.EnsureValid("sales/orders/", allowPrefix: true);

        act.Should().NotThrow();
    }
}
