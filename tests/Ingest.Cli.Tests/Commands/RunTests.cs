using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

/// <summary>The run and runs commands over in-memory backends (the engine for real, no query engine).</summary>
public sealed class RunTests : OrdersRegisteredTests
{
    [Fact]
    public async Task Run_GoodAndBadRows_PrintsTheSummary()
    {
        var path = Path.Combine(Cli.Root, "orders.csv");
        var data = OrdersCsv.Write(path, 3000, withBadRows: true);

        var result = await Cli.RunAsync("run", "sales.orders", path);

        result.ExitCode.Should().Be(0, result.ToString());
        data.BadRows.Should().Be(6);
        Field(result, "status").Should().Contain("succeeded");
        Field(result, "rows read").Should().Contain("3,000");
        Field(result, "rows written").Should().Contain(data.Good.Count.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture));
        Field(result, "rows rejected").Should().Contain("6");
        Field(result, "partitions").Should().Contain("12");
        Field(result, "inputs").Should().Contain("1");
        result.Output.Should().Contain("top reject reasons").And.Contain("run id").And.Contain("elapsed").And.Contain("rows/s");

        // Not a terminal: plain lines, no frame, as narrow as the values.
        result.Output.Should().NotContainAny("│", "─", "╭", "┌");
        result.Output.Split('\n').Should().OnlyContain(l => l.Length <= 120);
        result.Output.Should().StartWith("ingest run: sales.orders\n  run id ");
    }

    [Fact]
    public async Task Run_SameFileAgain_IsANoOp()
    {
        var path = Path.Combine(Cli.Root, "orders.csv");
        OrdersCsv.Write(path, 1000, withBadRows: false);
        (await Cli.RunAsync("run", "sales.orders", path)).ExitCode.Should().Be(0);

        var again = await Cli.RunAsync("run", "sales.orders", path);
        var forced = await Cli.RunAsync("run", "sales.orders", path, "--force");

        again.ExitCode.Should().Be(0, again.ToString());
        again.Output.Should().Contain("Nothing to ingest").And.Contain("--force");
        forced.ExitCode.Should().Be(0, forced.ToString());
        Field(forced, "rows written").Should().Contain("1,000");
    }

    [Fact]
    public async Task Run_TooManyRejects_Exits1AndRecordsAFailedRun()
    {
        var path = Cli.WriteFile("bad.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,x\n2,2024-01-02,DE,1,2.00\n");

        var result = await Cli.RunAsync("run", "sales.orders", path);
        var runs = await Cli.RunAsync("runs", "sales.orders");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Errors.Should().StartWith("error: ").And.NotContain("   at ");
        runs.Output.Should().Contain("failed");
    }

    [Fact]
    public async Task Runs_ListsRunsNewestFirst()
    {
        var first = Path.Combine(Cli.Root, "a.csv");
        var second = Path.Combine(Cli.Root, "b.csv");
        OrdersCsv.Write(first, 100, withBadRows: false, seed: 1);
        OrdersCsv.Write(second, 200, withBadRows: false, seed: 2);
        await Cli.RunAsync("run", "sales.orders", first);
        await Cli.RunAsync("run", "sales.orders", second);

        var all = await Cli.RunAsync("runs", "sales.orders");
        var latest = await Cli.RunAsync("runs", "sales.orders", "--limit", "1");

        all.ExitCode.Should().Be(0, all.ToString());
        var rows = all.Output.Split('\n').Where(l => l.Contains("succeeded", StringComparison.Ordinal)).ToList();
        rows.Should().HaveCount(2);
        rows[0].Should().Contain("200");
        rows[1].Should().Contain("100");
        latest.Output.Split('\n').Count(l => l.Contains("succeeded", StringComparison.Ordinal)).Should().Be(1);
    }

    private static string Field(CliResult result, string name)
        => result.Output.Split('\n').FirstOrDefault(l => l.Contains($" {name} ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No '{name}' in the summary:{Environment.NewLine}{result}");
}
