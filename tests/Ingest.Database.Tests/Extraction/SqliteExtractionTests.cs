using Ingest.Database.Tests.Infrastructure;
using Ingest.Ledger;
using Microsoft.Data.Sqlite;

namespace Ingest.Database.Tests.Extraction;

/// <summary>SQLite, in process: full and incremental extraction over a text timestamp cursor, a query source, and SQLite's dynamic values.</summary>
public sealed class SqliteExtractionTests : IDisposable
{
    private readonly LakeHarness _lake = new();
    private readonly string _connection;

    public SqliteExtractionTests()
    {
        _connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_lake.Root, "onprem.db"), Pooling = false }.ConnectionString;
        Execute("""
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, vip INTEGER, balance REAL, changed_at TEXT NOT NULL);
            INSERT INTO customers VALUES (1, 'Ada', 1, 10.5, '2024-05-01 08:00:00'), (2, 'Grace', 0, 0.1, '2024-05-01 08:00:01'), (3, NULL, NULL, NULL, '2024-05-01 08:00:02');
            """);
    }

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Run_TextCursor_FullThenIncremental()
    {
        await _lake.RegisterAsync(Definition("\"table\": \"customers\", \"cursor\": { \"column\": \"changed_at\" }"));
        var pipeline = _lake.Pipeline("crm.customers", LakeHarness.Options(("crm", _connection)));

        (await pipeline.ExtractAndRunAsync()).Run.RowsRead.Should().Be(3);
        (await pipeline.ExtractAndRunAsync()).Run.Status.Should().Be(RunStatus.Skipped);
        Execute("UPDATE customers SET name = 'Grace H.', changed_at = '2024-05-02 09:00:00' WHERE id = 2; INSERT INTO customers VALUES (4, 'Edsger', 0, 3, '2024-05-02 09:00:01');");
        var third = await pipeline.ExtractAndRunAsync();

        third.Run.RowsRead.Should().Be(2);
        (await _lake.WatermarkAsync("crm.customers", "database:crm:customers:changed_at")).Should().Be("2024-05-02 09:00:01");
        var rows = await _lake.QueryAsync("select id, name, vip, cast(balance as varchar), cast(changed_at as varchar) from crm.customers order by id");
        rows.Select(r => string.Join("|", r)).Should().Equal(
            "1|Ada|True|10.50|2024-05-01 08:00:00",
            "2|Grace H.|False|0.10|2024-05-02 09:00:00",
            "3||||2024-05-01 08:00:02",
            "4|Edsger|False|3.00|2024-05-02 09:00:01");
    }

    [Fact]
    public async Task Run_QuerySource_AppliesTheCursorToTheQueryResult()
    {
        await _lake.RegisterAsync(Definition("\"query\": \"SELECT id, upper(name) AS name, vip, balance, changed_at FROM customers WHERE id <> 3\", \"cursor\": { \"column\": \"changed_at\" }"));

        var run = await _lake.Pipeline("crm.customers", LakeHarness.Options(("crm", _connection))).ExtractAndRunAsync();

        run.Run.RowsRead.Should().Be(2);
        (await _lake.QueryAsync("select name from crm.customers order by id")).Select(r => r[0]).Should().Equal("ADA", "GRACE");
    }

    [Fact]
    public async Task Run_TextThatIsNotATimestamp_FailsNamingTheColumn()
    {
        Execute("INSERT INTO customers VALUES (5, 'Bad', 0, 1, 'yesterday')");
        await _lake.RegisterAsync(Definition("\"table\": \"customers\""));

        var run = async () => await _lake.Pipeline("crm.customers", LakeHarness.Options(("crm", _connection))).ExtractAndRunAsync();

        var error = (await run.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Contain("connection 'crm' (SQLite: ").And.Contain("column 'changed_at' (id = 5): \"yesterday\" expected a timestamp");
    }

    [Fact]
    public async Task Run_ConnectionNotConfigured_SaysWhereToConfigureIt()
    {
        await _lake.RegisterAsync(Definition("\"table\": \"customers\""));

        var run = async () => await _lake.Pipeline("crm.customers", LakeHarness.Options()).ExtractAndRunAsync();

        (await run.Should().ThrowAsync<IngestException>()).Which.Message.Should()
            .Be("Dataset crm.customers: connection 'crm' is not configured: set ConnectionStrings:crm (environment INGEST_ConnectionStrings__crm) or provide it through an IConnectionResolver.");
    }

    private static string Definition(string database) => $$"""
        {
          "id": "crm.customers",
          "source": { "format": "database", "database": { "connection": "crm", "provider": "sqlite", {{database}} } },
          "columns": [
            { "name": "id", "type": "int64", "nullable": false },
            { "name": "name", "type": "string" },
            { "name": "vip", "type": "boolean" },
            { "name": "balance", "type": "decimal(10,2)" },
            { "name": "changed_at", "type": "timestamp", "nullable": false }
          ],
          "keys": ["id"],
          "write": { "mode": "merge" }
        }
        """;

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(_connection);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
