using Ingest.Definitions;
using Ingest.Engine;

namespace Ingest.Tests.Engine;

public sealed class IngestRowTests
{
    private static readonly ColumnDefinition[] Columns =
    [
        new() { Name = "id", Type = ColumnType.Int64 },
        new() { Name = "amount", Type = ColumnType.Decimal(18, 2) },
        new() { Name = "note", Type = ColumnType.String },
    ];

    private static IngestRow Row(params object?[] values) => new(new RowLayout(Columns), values, "a.csv", 2);

    [Fact]
    public void Get_TheColumnsType_ReturnsTheValue_AndDefaultForNull()
    {
        var row = Row(7L, 12.50m, null);

        row.Get<long>("id").Should().Be(7);
        row.Get<decimal?>("amount").Should().Be(12.50m);
        row.Get<object>("amount").Should().Be(12.50m);
        row.Get<string>("note").Should().BeNull();
    }

    [Fact]
    public void Get_AnotherType_ThrowsNamingTheTypeToAskFor()
    {
        var row = Row(7L, 12.50m, "x");

        var act = () => row.Get<int>("id");

        act.Should().Throw<InvalidCastException>().WithMessage("Column 'id' is int64 and holds Int64 values, not Int32: read it with Get<Int64>(\"id\").");
    }

    [Fact]
    public void TryGet_ReturnsFalseForNull_TrueWithTheValue_AndThrowsOnAnotherType()
    {
        var row = Row(7L, null, "x");

        row.TryGet<decimal>("amount", out var amount).Should().BeFalse();
        amount.Should().Be(0);
        row.TryGet<string>("note", out var note).Should().BeTrue();
        note.Should().Be("x");
        row.Invoking(r => r.TryGet<double>("amount", out _)).Should().NotThrow("a null value has no type to mismatch");
        row.Invoking(r => r.TryGet<double>("id", out _)).Should().Throw<InvalidCastException>().WithMessage("*Get<Int64>(\"id\")*");
    }

    [Fact]
    public void IsNull_TellsNullFromAValue_AndUnknownColumnsAreNamed()
    {
        var row = Row(7L, null, "");

        row.IsNull("amount").Should().BeTrue();
        row.IsNull("note").Should().BeFalse("an empty string is a value");
        row.Invoking(r => r.IsNull("amuont")).Should().Throw<ArgumentException>().WithMessage("'amuont' is not a column of this dataset; columns are id, amount, note.*");
    }

    [Fact]
    public void ColumnType_ClrType_IsTheTypeOfTheRowsValues()
    {
        ColumnType.Timestamp.ClrType.Should().Be<DateTime>();
        ColumnType.Decimal(18, 2).ClrType.Should().Be<decimal>();
        ColumnType.Date.ClrType.Should().Be<DateOnly>();
    }
}
