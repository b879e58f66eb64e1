namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>Dataset definition documents used by the tests.</summary>
public static class TestDefinitions
{
    /// <summary>sales.orders v1: order id, date, country, quantity, amount; partitioned by month of the order date.</summary>
    public static readonly string Orders = OrdersWith(
        """{ "name": "order_id", "type": "int64", "nullable": false }""",
        """{ "name": "order_date", "type": "date", "nullable": false }""",
        """{ "name": "country", "type": "string" }""",
        """{ "name": "quantity", "type": "int32" }""",
        """{ "name": "amount", "type": "decimal(18,2)" }""");

    /// <summary><see cref="Orders"/> run by the Glue job (<c>engine.kind</c> glue), as <c>run --engine glue</c> needs.</summary>
    public static readonly string OrdersOnGlue = Orders.Replace("\"quality\":", "\"engine\": { \"kind\": \"glue\" },\n  \"quality\":", StringComparison.Ordinal);

    /// <summary>A compatible v2 of <see cref="Orders"/>: quantity widened to int64, a nullable channel column added.</summary>
    public static readonly string OrdersV2 = OrdersWith(
        """{ "name": "order_id", "type": "int64", "nullable": false }""",
        """{ "name": "order_date", "type": "date", "nullable": false }""",
        """{ "name": "country", "type": "string" }""",
        """{ "name": "quantity", "type": "int64" }""",
        """{ "name": "amount", "type": "decimal(18,2)" }""",
        """{ "name": "channel", "type": "string" }""");

    /// <summary>Incompatible with <see cref="Orders"/>: country removed, amount narrowed, quantity made required.</summary>
    public static readonly string OrdersIncompatible = OrdersWith(
        """{ "name": "order_id", "type": "int64", "nullable": false }""",
        """{ "name": "order_date", "type": "date", "nullable": false }""",
        """{ "name": "quantity", "type": "int32", "nullable": false }""",
        """{ "name": "amount", "type": "decimal(10,2)" }""");

    /// <summary>Invalid: the second column's name is not an identifier.</summary>
    public static readonly string InvalidColumnName = BrokenWith("""{ "name": "Order Date", "type": "date" }""");

    /// <summary>Invalid: an unknown column type.</summary>
    public static readonly string InvalidType = BrokenWith("""{ "name": "amount", "type": "money" }""");

    private static string OrdersWith(params string[] columns) =>
        $$"""
        {
          "id": "sales.orders",
          "description": "Orders from the shop",
          "source": { "format": "csv" },
          "columns": [
            {{string.Join(",\n    ", columns)}}
          ],
          "keys": ["order_id"],
          "partitioning": [{ "column": "order_date", "transform": "month" }],
          "quality": { "maxRejectRatio": 0.05 }
        }
        """;

    private static string BrokenWith(string secondColumn) =>
        $$"""
        {
          "id": "sales.broken",
          "source": { "format": "csv" },
          "columns": [
            { "name": "id", "type": "int64" },
            {{secondColumn}}
          ]
        }
        """;
}
