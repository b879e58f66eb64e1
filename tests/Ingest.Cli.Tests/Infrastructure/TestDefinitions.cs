namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>Dataset definition documents used by the tests.</summary>
public static class TestDefinitions
{
    /// <summary>sales.orders v1: order id, date, country, amount; partitioned by month of the order date.</summary>
    public const string Orders =
        """
        {
          "id": "sales.orders",
          "description": "Orders from the shop",
          "source": { "format": "csv" },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "order_date", "type": "date", "nullable": false },
            { "name": "country", "type": "string" },
            { "name": "quantity", "type": "int32" },
            { "name": "amount", "type": "decimal(18,2)" }
          ],
          "keys": ["order_id"],
          "partitioning": [{ "column": "order_date", "transform": "month" }],
          "quality": { "maxRejectRatio": 0.05 }
        }
        """;

    /// <summary>A compatible v2 of <see cref="Orders"/>: quantity widened to int64, a nullable channel column added.</summary>
    public const string OrdersV2 =
        """
        {
          "id": "sales.orders",
          "description": "Orders from the shop",
          "source": { "format": "csv" },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "order_date", "type": "date", "nullable": false },
            { "name": "country", "type": "string" },
            { "name": "quantity", "type": "int64" },
            { "name": "amount", "type": "decimal(18,2)" },
            { "name": "channel", "type": "string" }
          ],
          "keys": ["order_id"],
          "partitioning": [{ "column": "order_date", "transform": "month" }],
          "quality": { "maxRejectRatio": 0.05 }
        }
        """;

    /// <summary>Incompatible with <see cref="Orders"/>: country removed, amount narrowed, quantity made required.</summary>
    public const string OrdersIncompatible =
        """
        {
          "id": "sales.orders",
          "source": { "format": "csv" },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "order_date", "type": "date", "nullable": false },
            { "name": "quantity", "type": "int32", "nullable": false },
            { "name": "amount", "type": "decimal(10,2)" }
          ],
          "keys": ["order_id"],
          "partitioning": [{ "column": "order_date", "transform": "month" }],
          "quality": { "maxRejectRatio": 0.05 }
        }
        """;

    /// <summary>Invalid: the second column's name is not an identifier.</summary>
    public const string InvalidColumnName =
        """
        {
          "id": "sales.broken",
          "source": { "format": "csv" },
          "columns": [
            { "name": "id", "type": "int64" },
            { "name": "Order Date", "type": "date" }
          ]
        }
        """;

    /// <summary>Invalid: an unknown column type.</summary>
    public const string InvalidType =
        """
        {
          "id": "sales.broken",
          "source": { "format": "csv" },
          "columns": [
            { "name": "id", "type": "int64" },
            { "name": "amount", "type": "money" }
          ]
        }
        """;
}
