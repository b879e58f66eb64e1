using Ingest.Cli.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Ingest.Cli.Tests.Commands;

/// <summary><c>ingest run &lt;dataset&gt;</c> without files extracts a database source, with the connection string from the environment.</summary>
public sealed class RunDatabaseTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.Local();
    private readonly string _connection = "cli_" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("INGEST_ConnectionStrings__" + _connection, null);
        SqliteConnection.ClearAllPools();
        _cli.Dispose();
    }

    [Fact]
    public async Task Run_DatabaseDataset_ExtractsThenSaysNothingNew()
    {
        var file = Path.Combine(_cli.Root, "shop.db");
        Execute(file, "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT, changed INTEGER NOT NULL); INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 11), (3, 'c', 12);");
        Environment.SetEnvironmentVariable("INGEST_ConnectionStrings__" + _connection, $"Data Source={file};Pooling=False");
        await _cli.InitAsync();
        var definition = _cli.WriteFile("shop.items.json", $$"""
            {
              "id": "shop.items",
              "source": { "format": "database", "database": { "connection": "{{_connection}}", "provider": "sqlite", "table": "items", "cursor": { "column": "changed" } } },
              "columns": [ { "name": "id", "type": "int64", "nullable": false }, { "name": "label", "type": "string" }, { "name": "changed", "type": "int64", "nullable": false } ],
              "keys": ["id"], "write": { "mode": "merge" }
            }
            """);
        (await _cli.RunAsync("datasets", "add", definition)).ExitCode.Should().Be(0);

        var first = await _cli.RunAsync("run", "shop.items");
        var second = await _cli.RunAsync("run", "shop.items");
        Execute(file, "INSERT INTO items VALUES (4, 'd', 13)");
        var third = await _cli.RunAsync("run", "shop.items");

        first.ExitCode.Should().Be(0, first.ToString());
        first.Output.Should().Contain("rows written").And.Contain("succeeded");
        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().Contain("Nothing to ingest: the database source has no new or changed rows since the last run.");
        third.ExitCode.Should().Be(0, third.ToString());
        (await _cli.ScalarAsync("select count(*) from shop.items")).Should().Be(4);
    }

    [Fact]
    public async Task Run_DatabaseDatasetWithoutConnectionString_FailsInOneLineNamingTheVariable()
    {
        await _cli.InitAsync();
        var definition = _cli.WriteFile("shop.items.json", $$"""
            { "id": "shop.items", "source": { "format": "database", "database": { "connection": "{{_connection}}", "provider": "sqlite", "table": "items" } }, "columns": [ { "name": "id", "type": "int64" } ] }
            """);
        (await _cli.RunAsync("datasets", "add", definition)).ExitCode.Should().Be(0);

        var result = await _cli.RunAsync("run", "shop.items");

        result.ExitCode.Should().NotBe(0);
        result.Errors.Trim().Should().Be($"error: Dataset shop.items: connection '{_connection}' is not configured: set ConnectionStrings:{_connection} (environment INGEST_ConnectionStrings__{_connection}) or provide it through an IConnectionResolver.");
    }

    private static void Execute(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
