using Ingest.Definitions;

namespace Ingest.Tests.Definitions;

public sealed class IdentityTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("orders")]
    [InlineData("order_items_2024")]
    [InlineData("a_")]
    public void IsValid_LowerCaseIdentifier_ReturnsTrue(string value) => Identifier.IsValid(value).Should().BeTrue();

    [Fact]
    public void IsValid_SixtyFourCharacters_ReturnsTrue() => Identifier.IsValid("a" + new string('b', 63)).Should().BeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Orders")]
    [InlineData("1orders")]
    [InlineData("_orders")]
    [InlineData("order-items")]
    [InlineData("order items")]
    [InlineData("orders\n")]
    [InlineData("ordérs")]
    [InlineData("orders.v2")]
    public void IsValid_NotAnIdentifier_ReturnsFalse(string? value) => Identifier.IsValid(value).Should().BeFalse();

    [Fact]
    public void IsValid_SixtyFiveCharacters_ReturnsFalse() => Identifier.IsValid("a" + new string('b', 64)).Should().BeFalse();

    [Fact]
    public void EnsureValid_Invalid_ThrowsNamingParameterAndPattern()
    {
        var act = () => Identifier.EnsureValid("Bad Name", "column");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "column" && e.Message.Contains(Identifier.Pattern, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DomainDotName_SplitsParts()
    {
        var id = DatasetId.Parse("sales.orders");

        id.Domain.Should().Be("sales");
        id.Name.Should().Be("orders");
        id.ToString().Should().Be("sales.orders");
        id.Should().Be(DatasetId.Create("sales", "orders"));
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("orders", "exactly one dot")]
    [InlineData(".orders", "exactly one dot")]
    [InlineData("sales.", "exactly one dot")]
    [InlineData("sales.orders.v2", "exactly one dot")]
    [InlineData("Sales.orders", "use only lower-case letters, digits and underscores (a-z, 0-9, _)")]
    [InlineData("sales.Orders", "use only lower-case letters, digits and underscores (a-z, 0-9, _)")]
    [InlineData("sales.order-items", "use only lower-case letters, digits and underscores (a-z, 0-9, _)")]
    [InlineData("sales.orders\n", "use only lower-case letters, digits and underscores (a-z, 0-9, _)")]
    public void Parse_Invalid_ThrowsExplainingForm(string value, string phrase)
    {
        var act = () => DatasetId.Parse(value);

        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains(phrase, StringComparison.Ordinal) && e.ParamName == "value");
    }

    [Fact]
    public void Parse_NameWithAHyphen_SaysWhichCharactersAreAllowedAndSuggestsOne()
        => FluentActions.Invoking(() => DatasetId.Parse("sales.sales-2024")).Should().Throw<ArgumentException>().Which.Message.Should().StartWith(
            "'sales.sales-2024' is not a dataset id: the domain and the name must each start with a lower-case letter and use only lower-case letters, digits and underscores (a-z, 0-9, _), at most 64 characters (for example sales.sales_2024).");

    [Fact]
    public void TryParse_Null_ReturnsFalse() => DatasetId.TryParse(null, out _).Should().BeFalse();

    [Fact]
    public void Create_InvalidDomain_ThrowsNamingDomain()
    {
        var act = () => DatasetId.Create("Sales", "orders");

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("domain");
    }

    [Fact]
    public void ToString_Default_IsEmpty() => default(DatasetId).ToString().Should().BeEmpty();
}
