using System.Text.Json.Nodes;
using Ingest.Cli.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Ingest.Cli.Tests.Commands;

/// <summary><c>ingest datasets infer --connection</c>: a database table's draft through the connection settings of <c>ingest run</c>, registered and run.</summary>
public sealed class DatasetsInferDatabaseTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.Local();
    private readonly string _connection = "infer_" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("INGEST_ConnectionStrings__" + _connection, null);
        SqliteConnection.ClearAllPools();
        _cli.Dispose();
    }

    [Fact]
    public async Task InferAddRun_SqliteTable_ExtractsWithNoRejects()
    {
        var file = Path.Combine(_cli.Root, "shop.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE Items (ItemId INTEGER PRIMARY KEY, Label TEXT NOT NULL, Price REAL, Added TEXT); INSERT INTO Items VALUES (1, 'a', 1.5, '2024-05-01'), (2, 'b', 12.25, '2024-05-02'), (3, 'c', NULL, NULL);";
            command.ExecuteNonQuery();
        }

        Environment.SetEnvironmentVariable("INGEST_ConnectionStrings__" + _connection, $"Data Source={file};Pooling=False");
        await _cli.InitAsync();
        var draft = Path.Combine(_cli.Root, "items.json");

        var infer = await _cli.RunAsync("datasets", "infer", "--connection", _connection, "--provider", "sqlite", "--table", "Items", "--id", "shop.items", "--output", draft);
        var add = await _cli.RunAsync("datasets", "add", draft);
        var run = await _cli.RunAsync("run", "shop.items", "--format", "json");

        infer.ExitCode.Should().Be(0, infer.ToString());
        infer.Errors.Should().Contain("Items (connection '" + _connection + "' (SQLite: ");
        var columns = JsonNode.Parse(File.ReadAllText(draft))!["columns"]!.AsArray();
        columns.Select(c => $"{c!["name"]} {c["type"]} {c["nullable"]}").Should().Equal("item_id int32 false", "label string false", "price decimal(4,2) true", "added date true");
        add.ExitCode.Should().Be(0, add.ToString());
        run.ExitCode.Should().Be(0, run.ToString());
        var result = JsonNode.Parse(run.Output)!;
        result["rowsRead"]!.GetValue<long>().Should().Be(3);
        result["rowsRejected"]!.GetValue<long>().Should().Be(0);
    }

    [Theory]
    [InlineData(new[] { "--connection", "x" }, "--connection needs --provider (postgresql, sql-server or sqlite) and one of --table or --query.")]
    [InlineData(new[] { "--connection", "x", "--provider", "oracle", "--table", "t" }, "--provider oracle is not a database Ingest reads: give postgresql, sql-server or sqlite.")]
    [InlineData(new string[0], "Give the data files to infer from, or --connection with --provider and --table (a database source).")]
    public async Task Infer_DatabaseArgumentsIncomplete_FailWithOneLine(string[] options, string message)
    {
        var result = await _cli.RunAsync(["datasets", "infer", .. options]);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Trim().Should().Be("error: " + message);
    }
}
