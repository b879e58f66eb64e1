using System.Globalization;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.EndToEnd;

/// <summary>
/// The whole flow over the real local backends (folder lake, SQLite, DuckDB): add, run, query with results checked
/// against figures computed from the generated rows, re-run, quarantine, runs.
/// </summary>
public sealed class LocalEndToEndTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = CliHarness.Local();
    private OrdersCsv _data = null!;
    private string _csv = null!;

    public async Task InitializeAsync()
    {
        await _cli.InitAsync();
        var added = await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));
        added.ExitCode.Should().Be(0, added.ToString());
        _csv = Path.Combine(_cli.Root, "orders.csv");
        _data = OrdersCsv.Write(_csv, 4000, withBadRows: true);
        var run = await _cli.RunAsync("run", "sales.orders", _csv);
        run.ExitCode.Should().Be(0, run.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Query_CountsAndSums_MatchTheGeneratedRows()
    {
        var rows = await _cli.QueryAsync("select count(*) as n, sum(amount) as total, sum(quantity) as qty, count(distinct order_id) as ids from sales.orders");

        rows.Should().ContainSingle();
        rows[0]["n"].GetInt64().Should().Be(_data.Good.Count);
        rows[0]["ids"].GetInt64().Should().Be(_data.Good.Count);
        rows[0]["total"].GetDecimal().Should().Be(_data.TotalAmount);
        rows[0]["qty"].GetInt64().Should().Be(_data.TotalQuantity);
    }

    [Fact]
    public async Task Query_GroupByCountry_MatchesTheGeneratedRows()
    {
        var rows = await _cli.QueryAsync("select coalesce(country, '(null)') as country, count(*) as n, sum(amount) as total from sales.orders group by 1 order by 1");

        var actual = rows.ToDictionary(r => r["country"].GetString()!, r => (r["n"].GetInt64(), r["total"].GetDecimal()), StringComparer.Ordinal);
        actual.Should().BeEquivalentTo(_data.ByCountry);
    }

    [Fact]
    public async Task Query_Parameters_AreBoundPositionally()
    {
        var expected = _data.Good.Count(o => o.Country == "DE" && o.Quantity >= 10);

        var count = await _cli.ScalarAsync("select count(*) as n from sales.orders where country = ? and quantity >= ?", "DE", "10");
        var injection = await _cli.ScalarAsync("select count(*) as n from sales.orders where country = ?", "DE' or '1'='1");

        count.Should().Be(expected);
        injection.Should().Be(0, "a parameter is a value, never SQL");
    }

    [Fact]
    public async Task Query_Csv_WritesHeaderAndInvariantValues()
    {
        var result = await _cli.RunAsync("query", "select order_id, order_date, amount from sales.orders order by order_id limit 3", "--format", "csv");

        result.ExitCode.Should().Be(0, result.ToString());
        var expected = _data.Good.Take(3).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.OrderId},{o.OrderDate:yyyy-MM-dd},{o.Amount:0.00}"));
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(["order_id,order_date,amount", .. expected]);
    }

    [Fact]
    public async Task Query_Table_ShowsRowsAndCount()
    {
        var result = await _cli.RunAsync("query", "select country, count(*) as n from sales.orders where country is not null group by 1 order by 1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("country").And.Contain("DE").And.Contain("(5 rows)");
    }

    [Fact]
    public async Task Query_BadSql_ExitsNonZeroWithOneErrorLine()
    {
        var result = await _cli.RunAsync("query", "select frobnicate from nowhere_at_all");

        result.ExitCode.Should().NotBe(0);
        result.Errors.Should().StartWith("error: ");
        result.Errors.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Query_StatementsThatWrite_AreRefusedAndChangeNothing()
    {
        var target = Path.Combine(_cli.Root, "copied.csv");

        var copy = await _cli.RunAsync("query", $"copy (select * from sales.orders) to '{target}'");
        var drop = await _cli.RunAsync("query", "drop view sales.orders");
        var hidden = await _cli.RunAsync("query", "select 1; /* then */ create table x as select 1");

        copy.ExitCode.Should().Be(2, copy.ToString());
        copy.Errors.TrimEnd().Should().Be("error: query failed: ingest query is read-only: it runs queries (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN), and this is a COPY statement. Nothing was run.");
        File.Exists(target).Should().BeFalse();
        drop.ExitCode.Should().Be(2, drop.ToString());
        drop.Errors.Should().Contain("this is a DROP statement");
        hidden.ExitCode.Should().Be(2, hidden.ToString());
        hidden.Errors.Should().Contain("this is a CREATE statement");
        (await _cli.RunAsync("query", "describe sales.orders")).ExitCode.Should().Be(0);
        (await _cli.RunAsync("query", "explain select count(*) from sales.orders")).ExitCode.Should().Be(0);
        (await _cli.RunAsync("query", "summarize sales.orders")).ExitCode.Should().Be(0);
        (await _cli.ScalarAsync("select count(*) from sales.orders")).Should().BeGreaterThan(0, "the view is still there");
    }

    [Fact]
    public async Task Query_MissingParameter_Exits2()
    {
        var result = await _cli.RunAsync("query", "select count(*) from sales.orders where country = ?");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: query failed");
    }

    [Fact]
    public async Task Quarantine_HoldsTheBadRows()
    {
        var rejected = await _cli.ScalarAsync("select count(*) from sales.orders_quarantine");

        rejected.Should().Be(_data.BadRows);
    }

    [Fact]
    public async Task Rerun_SameFile_IsANoOpAndChangesNothing()
    {
        var again = await _cli.RunAsync("run", "sales.orders", _csv);
        var count = await _cli.ScalarAsync("select count(*) from sales.orders");
        var runs = await _cli.RunAsync("runs", "sales.orders");

        again.ExitCode.Should().Be(0, again.ToString());
        again.Output.Should().Contain("Nothing to ingest");
        count.Should().Be(_data.Good.Count);
        runs.Output.Should().Contain("succeeded").And.Contain("skipped");
    }

    [Fact]
    public async Task DatasetsList_ShowsTheRegisteredDataset()
    {
        var result = await _cli.RunAsync("datasets", "list");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("sales.orders").And.Contain("v1");
    }
}
