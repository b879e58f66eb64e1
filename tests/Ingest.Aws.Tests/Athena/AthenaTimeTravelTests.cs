using Ingest.Aws.Athena;
using Ingest.Catalog;

namespace Ingest.Aws.Tests.Athena;

/// <summary>
/// The rewrite of a query for Athena's time travel: the clause goes after every reference to a travelling table (here
/// <c>sales.orders</c> and <c>sales.items</c>), before its alias, and nowhere else.
/// </summary>
public sealed class AthenaTimeTravelTests
{
    private const string V = "FOR VERSION AS OF 42";

    [Theory]
    [InlineData("select * from sales.orders", "select * from sales.orders FOR VERSION AS OF 42")]
    [InlineData("SELECT * FROM SALES.ORDERS o WHERE o.n > 1", "SELECT * FROM SALES.ORDERS FOR VERSION AS OF 42 o WHERE o.n > 1")]
    [InlineData("select * from \"sales\".\"orders\" as o", "select * from \"sales\".\"orders\" FOR VERSION AS OF 42 as o")]
    [InlineData("select * from awsdatacatalog.sales.orders", "select * from awsdatacatalog.sales.orders FOR VERSION AS OF 42")]
    [InlineData(
        "select o.id, i.sku from sales.orders o join sales.items i on i.order_id = o.id left join other.orders x on x.id = o.id",
        "select o.id, i.sku from sales.orders FOR VERSION AS OF 42 o join sales.items FOR VERSION AS OF 42 i on i.order_id = o.id left join other.orders x on x.id = o.id")]
    [InlineData("select * from sales.orders, sales.items i where 1 = 1", "select * from sales.orders FOR VERSION AS OF 42, sales.items FOR VERSION AS OF 42 i where 1 = 1")]
    [InlineData(
        "select * from (select * from sales.orders) t where t.id in (select order_id from sales.items)",
        "select * from (select * from sales.orders FOR VERSION AS OF 42) t where t.id in (select order_id from sales.items FOR VERSION AS OF 42)")]
    [InlineData(
        "with orders as (select * from sales.orders where n > 0) select count(*) from orders join sales.items on true",
        "with orders as (select * from sales.orders FOR VERSION AS OF 42 where n > 0) select count(*) from orders join sales.items FOR VERSION AS OF 42 on true")]
    [InlineData(
        "select 'from sales.orders' as s, \"from sales.orders\" -- from sales.orders\n from sales.orders /* join sales.items */",
        "select 'from sales.orders' as s, \"from sales.orders\" -- from sales.orders\n from sales.orders FOR VERSION AS OF 42 /* join sales.items */")]
    [InlineData("select extract(year from day) from sales.orders", "select extract(year from day) from sales.orders FOR VERSION AS OF 42")]
    [InlineData("select * from sales.orders cross join unnest(tags) as t(tag)", "select * from sales.orders FOR VERSION AS OF 42 cross join unnest(tags) as t(tag)")]
    [InlineData("select * from sales.orders FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00 UTC'", "select * from sales.orders FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00 UTC'")]
    [InlineData("select * from sales.orders union all select * from sales.orders", "select * from sales.orders FOR VERSION AS OF 42 union all select * from sales.orders FOR VERSION AS OF 42")]
    [InlineData("select * from (sales.orders o join sales.items i on o.id = i.order_id)", "select * from (sales.orders FOR VERSION AS OF 42 o join sales.items FOR VERSION AS OF 42 i on o.id = i.order_id)")]
    [InlineData("select * from orders", "select * from orders")]
    [InlineData("select * from sales.orders_archive", "select * from sales.orders_archive")]
    public void Rewrite_TravellingTables_GetTheClauseAfterTheirName(string sql, string expected)
        => AthenaTimeTravel.Rewrite(sql, Travels, V).Should().Be(expected);

    [Fact]
    public void Rewrite_NoTableTravels_LeavesTheTextAlone()
    {
        const string sql = "select * from sales.orders o join hive.events e on e.id = o.id";

        AthenaTimeTravel.Rewrite(sql, _ => false, V).Should().Be(sql);
    }

    [Fact]
    public void Clause_Timestamp_IsAUtcLiteralFromTheParsedInstant()
    {
        var version = TableVersion.Parse("2024-05-01T12:30:00.5+02:00");

        AthenaTimeTravel.Clause(version).Should().Be("FOR TIMESTAMP AS OF TIMESTAMP '2024-05-01 10:30:00.500000 UTC'");
        AthenaTimeTravel.Clause(TableVersion.OfSnapshot(-7)).Should().Be("FOR VERSION AS OF -7");
    }

    [Fact]
    public void Find_TableReferences_NameAndAliasAndPosition()
    {
        const string sql = "select * from\n  \"Sales\".orders AS o, x";

        var references = QueryTables.Find(sql);

        references.Should().HaveCount(2);
        references[0].Should().Be(new QueryTableReference(null, "Sales", "orders", "o", sql.IndexOf('"', StringComparison.Ordinal), "\"Sales\".orders".Length));
        references[0].Names("sales", "orders").Should().BeTrue();
        references[1].Names("default", "x").Should().BeTrue("a name without a database is in Athena's default database");
        references[1].Names("sales", "x").Should().BeFalse();
    }

    private static bool Travels(QueryTableReference reference)
        => reference.Names("sales", "orders") || reference.Names("sales", "items");
}
