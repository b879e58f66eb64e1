using System.Diagnostics;
using System.Text;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Tests.Shared;

namespace Ingest.Cli.Tests.EndToEnd;

/// <summary>
/// Readers of an Iceberg table never see part of a run. The writer is an <c>ingest run</c> child process; this process
/// polls <c>count(*)</c> and <c>sum(amount)</c> through the local query engine (which resolves one snapshot's files)
/// while the run commits, and every answer must be the state before the run or the state after it: no mixed read and
/// no failed read. Also: a run killed at any point leaves a committed snapshot visible, and the next run completes or
/// discards it with every row exactly once.
/// </summary>
public sealed class IcebergVisibilityTests : IDisposable
{
    private const int FirstRows = 100_000;
    private const int SecondRows = 600_000;

    private readonly CliHarness _cli = CliHarness.Local();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("append")]
    [InlineData("overwrite-partitions")]
    [InlineData("merge")]
    public async Task Run_ReaderPollingWhileItCommits_SeesOnlyTheStateBeforeOrAfter(string mode)
    {
        var (first, second) = await PrepareAsync(mode);
        var before = await ReadAsync();
        before.Should().Be((first.Good.Count, first.TotalAmount), "the first run is the state before");

        var output = new StringBuilder();
        using var writer = CliProcess.Start(output, null, "--home", _cli.Home, "run", "sales.orders", second);
        var (states, failures) = await PollUntilExitAsync(writer);
        writer.ExitCode.Should().Be(0, output.ToString());
        var after = await ReadAsync();

        after.Should().NotBe(before, "the second run changed the table");
        failures.Should().BeEmpty("a reader of one snapshot's files never finds a file missing");
        var mixed = states.Where(s => s != before && s != after).Distinct().ToList();
        mixed.Should().BeEmpty($"every read is the whole state before or after the {mode} run");
        states.Count.Should().BeGreaterThan(3, "the reader polled throughout the run");
    }

    [Fact]
    public async Task Run_KilledAtRandomPoints_ReadersSeeACommittedSnapshot_AndTheNextRunIngestsEveryRowOnce()
    {
        var (first, second) = await PrepareAsync("append");
        var data = OrdersCsv.Write(second, SecondRows, withBadRows: false, seed: 7);
        var committedStates = new[] { ((long)first.Good.Count, first.TotalAmount), ((long)first.Good.Count + data.Good.Count, first.TotalAmount + data.TotalAmount) };
        var random = new Random(20261202);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var output = new StringBuilder();
            using var writer = CliProcess.Start(output, null, "--home", _cli.Home, "run", "sales.orders", second);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 2500)));
            if (!writer.HasExited)
            {
                writer.Kill(entireProcessTree: true);
            }

            await writer.WaitForExitAsync();
            var state = await ReadAsync();
            state.Should().BeOneOf(committedStates, $"after a kill (attempt {attempt}) readers see a committed snapshot only{Environment.NewLine}{output}");
        }

        var rerun = await _cli.RunAsync("run", "sales.orders", second);
        rerun.ExitCode.Should().Be(0, rerun.ToString());
        (await ReadAsync()).Should().Be(committedStates[1], "after recovery every row of both inputs is there exactly once");
        (await _cli.ScalarAsync("select count(*) - count(distinct (order_id, _source_file)) from sales.orders")).Should().Be(0, "no row of an input is doubled");
        var again = await _cli.RunAsync("run", "sales.orders", second);
        again.Output.Should().Contain("Nothing to ingest", "the input is recorded as ingested");
    }

    private async Task<(OrdersCsv First, string Second)> PrepareAsync(string mode)
    {
        await _cli.InitAsync();
        var definition = TestDefinitions.Orders.Replace("\"quality\":", $"\"write\": {{ \"mode\": \"{mode}\" }},\n  \"quality\":", StringComparison.Ordinal);
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", definition))).ExitCode.Should().Be(0);
        var firstCsv = Path.Combine(_cli.Root, "first.csv");
        var first = OrdersCsv.Write(firstCsv, FirstRows, withBadRows: false, seed: 1);
        (await _cli.RunAsync("run", "sales.orders", firstCsv)).ExitCode.Should().Be(0);
        var second = Path.Combine(_cli.Root, "second.csv");
        OrdersCsv.Write(second, SecondRows, withBadRows: false, seed: 7);
        return (first, second);
    }

    private Task<(List<(long, decimal)> States, List<string> Failures)> PollUntilExitAsync(Process writer) => TablePoller.PollUntilExitAsync(writer, _cli.Home);

    private Task<(long Count, decimal Sum)> ReadAsync() => TablePoller.ReadAsync(_cli.Home);
}
