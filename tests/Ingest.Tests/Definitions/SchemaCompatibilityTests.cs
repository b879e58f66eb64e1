using Ingest.Definitions;

namespace Ingest.Tests.Definitions;

public sealed class SchemaCompatibilityTests
{
    private static readonly DatasetDefinition Previous = new()
    {
        Id = DatasetId.Parse("sales.orders"),
        Source = new SourceDefinition { Format = SourceFormat.Csv },
        Columns =
        [
            Column("order_id", "int64", nullable: false),
            Column("quantity", "int32"),
            Column("weight", "float"),
            Column("amount", "decimal(10,2)"),
            Column("status", "string"),
            Column("ordered_at", "timestamp"),
        ],
        Keys = ["order_id"],
        Partitioning = [new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Day }],
    };

    [Fact]
    public void Check_SameDefinition_IsCompatible()
        => SchemaCompatibility.Check(Previous, Previous with { }).Should().BeEmpty();

    [Fact]
    public void Check_NullableColumnAdded_IsCompatible()
        => SchemaCompatibility.Check(Previous, With(Previous.Columns.Append(Column("coupon", "string")))).Should().BeEmpty();

    [Theory]
    [InlineData("quantity", "int64")]
    [InlineData("weight", "double")]
    [InlineData("amount", "decimal(12,2)")]
    public void Check_TypeWidened_IsCompatible(string column, string type)
        => SchemaCompatibility.Check(Previous, Retype(column, type)).Should().BeEmpty();

    [Fact]
    public void Check_RequiredBecomesNullable_IsCompatible()
        => SchemaCompatibility.Check(Previous, With(Previous.Columns.Select(c => c.Name == "order_id" ? c with { Nullable = true } : c))).Should().BeEmpty();

    [Fact]
    public void Check_SettingsThatDoNotShapeData_AreCompatible()
    {
        var next = Previous with
        {
            Description = "now documented",
            Source = new SourceDefinition { Format = SourceFormat.JsonLines, Encoding = "latin1" },
            Write = new WriteSettings { Mode = WriteMode.Merge, Compression = ParquetCompression.Zstd },
            Quality = new QualitySettings { MaxRejectRatio = 0 },
            Columns = [.. Previous.Columns.Select(c => c with { Description = "d", SourceColumn = c.Name.ToUpperInvariant() })],
        };

        SchemaCompatibility.Check(Previous, next).Should().BeEmpty();
    }

    public static TheoryData<string, DatasetDefinition, string> Incompatible => new()
    {
        { "removed column", With(Previous.Columns.Where(c => c.Name != "status")), "column 'status' was removed" },
        { "narrowed int64→int32", Retype("order_id", "int32"), "column 'order_id' narrowed from int64 to int32" },
        { "narrowed decimal", Retype("amount", "decimal(8,2)"), "column 'amount' narrowed from decimal(10,2) to decimal(8,2)" },
        { "changed string→int32", Retype("status", "int32"), "column 'status' changed from string to int32" },
        { "changed decimal scale", Retype("amount", "decimal(12,3)"), "column 'amount' changed from decimal(10,2) to decimal(12,3)" },
        { "changed int32→double", Retype("quantity", "double"), "column 'quantity' changed from int32 to double" },
        { "nullable→required", With(Previous.Columns.Select(c => c.Name == "status" ? c with { Nullable = false } : c)), "column 'status' changed from nullable to required" },
        { "required new column", With(Previous.Columns.Append(Column("channel", "string", nullable: false))), "new column 'channel' is required" },
        {
            "partitioning changed",
            Previous with { Partitioning = [new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Month }] },
            "partitioning changed from [ordered_at_day=day(ordered_at)] to [ordered_at_month=month(ordered_at)]"
        },
        { "partition added", Previous with { Partitioning = [.. Previous.Partitioning, new PartitionField { Transform = PartitionTransform.IngestDate }] }, "ingest_date=ingest-date" },
        { "keys changed", Previous with { Keys = ["order_id", "status"] }, "keys changed from [order_id] to [order_id, status]" },
        { "catalog table renamed", Previous with { Catalog = new CatalogSettings { Table = "orders_v2" } }, "catalog table changed from sales.orders to sales.orders_v2" },
    };

    [Theory]
    [MemberData(nameof(Incompatible))]
    public void Check_IncompatibleChange_IsRefusedWithSentence(string scenario, DatasetDefinition next, string sentence)
        => SchemaCompatibility.Check(Previous, next).Should().ContainSingle(scenario).Which.Should().Contain(sentence);

    [Fact]
    public void Check_SeveralIncompatibilities_ListsEach()
    {
        var next = Previous with
        {
            Columns =
            [
                Column("order_id", "int32", nullable: false),
                Column("quantity", "int32", nullable: false),
                Column("weight", "float"),
                Column("amount", "decimal(10,2)"),
                Column("ordered_at", "timestamp"),
                Column("channel", "string", nullable: false),
            ],
            Keys = ["quantity"],
        };

        var problems = SchemaCompatibility.Check(Previous, next);

        problems.Should().HaveCount(5);
        problems.Should().Contain(p => p.Contains("'order_id' narrowed", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("'quantity' changed from nullable to required", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("'status' was removed", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("new column 'channel' is required", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("keys changed", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_Null_Throws()
    {
        var act = () => SchemaCompatibility.Check(Previous, null!);

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("next");
    }

    private static ColumnDefinition Column(string name, string type, bool nullable = true)
        => new() { Name = name, Type = ColumnType.Parse(type), Nullable = nullable };

    private static DatasetDefinition With(IEnumerable<ColumnDefinition> columns, IReadOnlyList<string>? keys = null)
        => Previous with { Columns = [.. columns], Keys = keys ?? Previous.Keys };

    private static DatasetDefinition Retype(string column, string type)
        => With(Previous.Columns.Select(c => c.Name == column ? c with { Type = ColumnType.Parse(type) } : c));
}
