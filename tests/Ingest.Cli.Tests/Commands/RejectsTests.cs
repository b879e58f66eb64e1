using System.Text.Json.Nodes;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

/// <summary><c>ingest rejects</c>: a run's rejected rows, published (a succeeded run) or kept apart (a run over its reject budget).</summary>
public sealed class RejectsTests : OrdersRegisteredTests
{
    [Fact]
    public async Task Rejects_RunOverItsBudget_ShowsTheRowsItKeptApartWithoutPublishingAny()
    {
        var path = Cli.WriteFile("bad.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,x\n2,2024-01-02,DE,1,2.00\n3,2024-01-03,DE,1,y\n");

        var run = await Cli.RunAsync("run", "sales.orders", path);
        var rejects = await Cli.RunAsync("rejects", "sales.orders");
        var json = await Cli.RunAsync("rejects", "sales.orders", "--format", "json");

        run.ExitCode.Should().Be(1, run.ToString());
        var runId = run.Errors.Split("--run ")[1].Split(')')[0];
        run.Errors.Should().Contain($"The 2 rejected rows are kept apart, unpublished, under quarantine/_failed_runs/sales/orders/{runId} (ingest rejects sales.orders --run {runId}).");
        rejects.ExitCode.Should().Be(0, rejects.ToString());
        rejects.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            $"Run {runId} of sales.orders v1 failed: 2 rejected rows, kept apart from the published quarantine (nothing of the run was published).",
            "  bad.csv line 2: amount: \"x\" is not a decimal(18,2) (expected a decimal number (the decimal separator is \".\", no group separators))",
            "  bad.csv line 4: amount: \"y\" is not a decimal(18,2) (expected a decimal number (the decimal separator is \".\", no group separators))");
        var objects = json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        objects.Select(o => (o["line"]!.GetValue<long>(), o["values"]!["amount"]!.GetValue<string>(), o["values"]!["order_id"]!.GetValue<string>()))
            .Should().Equal((2L, "x", "1"), (4L, "y", "3"));
        (await Cli.RunAsync("runs", "sales.orders")).Output.Should().Contain(runId).And.Contain("failed");
    }

    [Fact]
    public async Task Rejects_SucceededRun_ShowsItsPublishedRejectsUpToTheLimit()
    {
        var path = Path.Combine(Cli.Root, "orders.csv");
        var data = OrdersCsv.Write(path, 2000, withBadRows: true);
        (await Cli.RunAsync("run", "sales.orders", path)).ExitCode.Should().Be(0);

        var all = await Cli.RunAsync("rejects", "sales.orders");
        var two = await Cli.RunAsync("rejects", "sales.orders", "--limit", "2");

        all.ExitCode.Should().Be(0, all.ToString());
        var lines = all.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().EndWith($"(succeeded): {data.BadRows} rejected rows.");
        lines.Skip(1).Should().HaveCount(data.BadRows).And.OnlyContain(l => l.StartsWith("  orders.csv line ", StringComparison.Ordinal));
        two.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(4)
            .And.Contain($"  … {data.BadRows - 2} more (--limit N shows more, --format json every value)");
    }

    [Fact]
    public async Task Rejects_NoRunRejectedRows_SaysSo()
    {
        var path = Path.Combine(Cli.Root, "orders.csv");
        OrdersCsv.Write(path, 100, withBadRows: false);
        (await Cli.RunAsync("run", "sales.orders", path)).ExitCode.Should().Be(0);

        var result = await Cli.RunAsync("rejects", "sales.orders");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Trim().Should().Be("No run of sales.orders has rejected rows.");
    }

    [Theory]
    [InlineData("../../etc", "--run ../../etc is not a run id: run ids hold letters, digits and '-' (as ingest runs <dataset> shows them).")]
    [InlineData("20240101T000000Z-deadbeef", "Dataset sales.orders has no run 20240101T000000Z-deadbeef. List its runs with: ingest runs sales.orders")]
    public async Task Rejects_UnknownOrMalformedRun_Exits2NamingIt(string runId, string message)
    {
        var result = await Cli.RunAsync("rejects", "sales.orders", "--run", runId);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().Contain(message);
    }
}
