using System.Text.Json.Nodes;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

/// <summary><c>ingest snapshots</c>, <c>ingest rollback</c> and <c>ingest query --as-of</c> on the embedded default (SQLite catalog, DuckDB).</summary>
public sealed class SnapshotsTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.Local();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task SnapshotsRollbackAndAsOf_ShowTheHistoryUndoTheLastRunAndReadEarlierStates()
    {
        await _cli.InitAsync();
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders))).ExitCode.Should().Be(0);
        var first = Path.Combine(_cli.Root, "a.csv");
        var second = Path.Combine(_cli.Root, "b.csv");
        var a = OrdersCsv.Write(first, 300, withBadRows: false, seed: 1);
        var b = OrdersCsv.Write(second, 200, withBadRows: false, seed: 2);
        (await _cli.RunAsync("run", "sales.orders", first)).ExitCode.Should().Be(0);
        (await _cli.RunAsync("run", "sales.orders", second)).ExitCode.Should().Be(0);

        var json = await _cli.RunAsync("snapshots", "sales.orders", "--format", "json");
        var table = await _cli.RunAsync("snapshots", "sales.orders");

        json.ExitCode.Should().Be(0, json.ToString());
        var snapshots = json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        snapshots.Select(s => s["totalRecords"]!.GetValue<long>()).Should().Equal(a.Good.Count + b.Good.Count, a.Good.Count);
        snapshots.Select(s => s["addedRecords"]!.GetValue<long>()).Should().Equal(b.Good.Count, a.Good.Count);
        snapshots.Select(s => s["current"]!.GetValue<bool>()).Should().Equal(true, false);
        var (latest, earlier) = (snapshots[0]["snapshotId"]!.GetValue<long>(), snapshots[1]["snapshotId"]!.GetValue<long>());
        table.Output.Should().Contain(latest.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("current");

        var asOf = await _cli.RunAsync("query", "select count(*) as n from sales.orders", "--as-of", earlier.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "csv");
        asOf.ExitCode.Should().Be(0, asOf.ToString());
        asOf.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("n", a.Good.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var rollback = await _cli.RunAsync("rollback", "sales.orders", "--to", "previous");

        rollback.ExitCode.Should().Be(0, rollback.ToString());
        var runId = snapshots[0]["runId"]!.GetValue<string>();
        rollback.Output.Should().StartWith($"sales.orders: snapshot {earlier} is current (was {latest}); readers see it from now on, and the history keeps both.")
            .And.Contain($"rolled back: snapshot {latest} of run {runId} ({b.Good.Count} rows added, 0 removed)")
            .And.Contain("The inputs of that run no longer count as ingested: ingest run sales.orders <files> ingests them again.");
        var now = await _cli.RunAsync("query", "select count(*) as n from sales.orders", "--format", "csv");
        now.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Should().Be(a.Good.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var runs = await _cli.RunAsync("runs", "sales.orders");
        runs.Output.Split('\n').Single(l => l.Contains(runId, StringComparison.Ordinal)).Should().Contain("rolled back");
        runs.Output.Should().Contain($"rollback to {earlier}", "the ledger records the rollback as a run of its own");
        var after = await _cli.RunAsync("snapshots", "sales.orders", "--format", "json");
        after.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["rolledBack"]!.GetValue<bool>()).Should().Equal(true, false);
    }

    [Theory]
    [InlineData("rollback", "--to", "yesterday", "--to: 'yesterday' is neither a snapshot id (digits, as ingest snapshots lists them) nor an instant such as 2024-05-01T10:00:00Z. Or --to previous for the snapshot before the current one.")]
    [InlineData("rollback", "--to", "12345", "Dataset sales.orders has no snapshot 12345; ingest snapshots sales.orders lists them.")]
    [InlineData("rollback", "--to", "previous", "sales.orders has no snapshot before its current one to roll back to; ingest snapshots sales.orders lists them.")]
    public async Task Rollback_ToNothingItCanFind_FailsWithOneLineAndChangesNothing(string command, string option, string value, string message)
    {
        await _cli.InitAsync();
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders))).ExitCode.Should().Be(0);
        var path = Path.Combine(_cli.Root, "a.csv");
        OrdersCsv.Write(path, 10, withBadRows: false);
        (await _cli.RunAsync("run", "sales.orders", path)).ExitCode.Should().Be(0);
        var before = (await _cli.RunAsync("snapshots", "sales.orders", "--format", "json")).Output;

        var result = await _cli.RunAsync(command, "sales.orders", option, value);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Trim().Should().Be("error: " + message);
        (await _cli.RunAsync("snapshots", "sales.orders", "--format", "json")).Output.Should().Be(before);
    }
}
