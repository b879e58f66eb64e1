using Ingest.Cli.Hosting;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Local;

namespace Ingest.Cli.Tests.Commands;

/// <summary>Locally the run's figures are in the ledger and on the console (no EMF line): run and runs print what the ledger holds.</summary>
public sealed class RunMetricsTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.Local();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task RunAndRuns_PrintTheLedgersFilesBytesPartitionsAndRetries()
    {
        await _cli.InitAsync();
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders))).ExitCode.Should().Be(0);
        var csv = Path.Combine(_cli.Root, "orders.csv");
        OrdersCsv.Write(csv, 2000, withBadRows: true);

        var run = await _cli.RunAsync("run", "sales.orders", csv);
        var runs = await _cli.RunAsync("runs", "sales.orders");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Errors.Should().BeEmpty("the local target writes no EMF line");
        await using var session = new BackendSession(LocalIngest.CreateBackends(new LocalIngestOptions { Root = _cli.Home }));
        var recorded = await session.Backends.Ledger.ListRunsAsync(DatasetId.Parse("sales.orders")).SingleAsync();
        var metrics = IngestRunMetrics.FromRun(recorded);
        metrics.BytesWritten.Should().BePositive();
        run.Output.Should().Contain($"{metrics.FilesWritten} ({ConsoleOutput.Bytes(metrics.BytesWritten)}, average {ConsoleOutput.Bytes((long)metrics.AverageFileSizeBytes)})");
        run.Output.Split('\n').Should().Contain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  retries +0$"));
        var row = runs.Output.Split('\n').Should().ContainSingle(l => l.Contains(recorded.RunId, StringComparison.Ordinal)).Subject;
        row.Should().Contain(ConsoleOutput.Bytes(metrics.BytesWritten)).And.Contain($" {metrics.PartitionsWritten} ");
        runs.Output.Should().Contain("bytes").And.Contain("retries");
    }
}
