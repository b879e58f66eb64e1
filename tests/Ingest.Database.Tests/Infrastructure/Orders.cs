using System.Globalization;

namespace Ingest.Database.Tests.Infrastructure;

/// <summary>The on-premise orders table of the tests and its dataset definition.</summary>
public static class Orders
{
    public const string Dataset = "onprem.orders";
    public const string Connection = "onprem";

    public const string CreateTable = """
        CREATE SCHEMA sales;
        CREATE TABLE sales.orders (
            order_id bigint PRIMARY KEY,
            customer text,
            amount numeric(12,2),
            updated_at timestamp NOT NULL
        );
        """;

    public static readonly DateTime Start = new(2024, 5, 1, 8, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Inserts orders <paramref name="from"/>..<paramref name="to"/>, order i updated at Start + i seconds, amount i.25.</summary>
    public static string Insert(int from, int to, int secondsOffset = 0)
        => string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO sales.orders
            SELECT i, 'customer ' || i, i + 0.25, timestamp '2024-05-01 08:00:00' + make_interval(secs => i + {secondsOffset})
            FROM generate_series({from}, {to}) AS i;
            """);

    public static string Definition(string table = "sales.orders", string mode = "merge", string cursor = """, "cursor": { "column": "updated_at" }""", string extra = "", string dataset = Dataset, string amountType = "decimal(12,2)")
        => $$"""
        {
          "id": "{{dataset}}",
          "source": { "format": "database", "database": { "connection": "{{Connection}}", "provider": "postgresql", "table": "{{table}}"{{cursor}}{{extra}} } },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "customer", "type": "string" },
            { "name": "amount", "type": "{{amountType}}" },
            { "name": "updated_at", "type": "timestamp", "nullable": false }
          ],
          "keys": ["order_id"],
          "write": { "mode": "{{mode}}" }
        }
        """;

    public const string WatermarkKey = "database:onprem:sales.orders:updated_at";
}
