using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Tests.Shared;

namespace Ingest.Cli.Tests.EndToEnd;

/// <summary>
/// Maintenance and rollback never disturb a reader: an <c>ingest maintain</c> or <c>ingest rollback</c> child process
/// changes the table while this process polls <c>count(*)</c> and <c>sum(amount)</c> through the local query engine,
/// and every answer is a whole committed state with no failed read (no file missing). A maintain killed at random
/// points leaves the table readable, and the next one finishes the job: only the current snapshot's files remain.
/// </summary>
public sealed class MaintenanceVisibilityTests : IDisposable
{
    private const int RowsPerRun = 20_000;
    // Monthly partitions: six runs leave six small files in each, past the default compactionMinFiles of five.
    private const int Runs = 6;

    private readonly CliHarness _cli = CliHarness.Local();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Maintain_ReaderPollingWhileItCompactsExpiresAndRemovesOrphans_SeesTheSameRowsAndNeverAMissingFile()
    {
        var expected = await PrepareAsync();
        var filesBefore = DataFiles().Count;

        var output = new StringBuilder();
        using var maintainer = CliProcess.Start(output, null, "--home", _cli.Home, "maintain", "sales.orders", "--retain", "0s", "--retain-last", "1", "--orphan-grace", "0s", "--format", "json");
        var (states, failures) = await PollUntilExitAsync(maintainer);
        maintainer.ExitCode.Should().Be(0, output.ToString());

        failures.Should().BeEmpty("a reader holds the snapshot it reads: expiry never deletes a file under it");
        states.Distinct().Should().Equal([expected], "compaction and expiry never change the rows");
        states.Count.Should().BeGreaterThan(3, "the reader polled throughout maintenance");
        var report = JsonDocument.Parse(output.ToString()[output.ToString().IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        report.GetProperty("compaction").GetProperty("filesRemoved").GetInt32().Should().Be(filesBefore);
        report.GetProperty("expiry").GetProperty("expired").GetArrayLength().Should().Be(Runs, "every run's snapshot was replaced by the compaction");
        DataFiles().Should().HaveCount(report.GetProperty("compaction").GetProperty("filesAdded").GetInt32(), "only the compacted files remain");
        (await ReadAsync()).Should().Be(expected);
        var runs = await _cli.RunAsync("runs", "sales.orders");
        runs.Output.Should().Contain($"maintenance: {filesBefore} files compacted, {Runs} snapshots expired", "the ledger records the maintenance");
    }

    [Fact]
    public async Task Rollback_ReaderPollingWhileItSwaps_SeesTheStateBeforeOrAfter()
    {
        var latest = await PrepareAsync();
        var snapshots = await _cli.RunAsync("snapshots", "sales.orders", "--format", "json");
        var first = snapshots.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Last();
        var firstState = (first.GetProperty("totalRecords").GetInt64(), -1m);

        var output = new StringBuilder();
        using var writer = CliProcess.Start(output, null, "--home", _cli.Home, "rollback", "sales.orders", "--to", first.GetProperty("snapshotId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (states, failures) = await PollUntilExitAsync(writer);
        writer.ExitCode.Should().Be(0, output.ToString());
        var after = await ReadAsync();
        after.Count.Should().Be(firstState.Item1, "the first run's snapshot is current");
        failures.Should().BeEmpty();
        states.Where(s => !s.Equals(latest) && !s.Equals(after)).Should().BeEmpty("a reader sees the table before or after the rollback, never a mix");
    }

    [Fact]
    public async Task Maintain_KilledAtRandomPoints_LeavesTheTableReadable_AndTheNextOneFinishesTheJob()
    {
        var expected = await PrepareAsync();
        var random = new Random(20261203);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var output = new StringBuilder();
            using var maintainer = CliProcess.Start(output, null, "--home", _cli.Home, "maintain", "sales.orders", "--retain", "0s", "--retain-last", "1", "--orphan-grace", "0s");
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 3000)));
            if (!maintainer.HasExited)
            {
                maintainer.Kill(entireProcessTree: true);
            }

            await maintainer.WaitForExitAsync();
            (await ReadAsync()).Should().Be(expected, $"after a kill (attempt {attempt}) the table reads at a committed snapshot{Environment.NewLine}{output}");
        }

        var last = await _cli.RunAsync("maintain", "sales.orders", "--retain", "0s", "--retain-last", "1", "--orphan-grace", "0s", "--format", "json");
        last.ExitCode.Should().Be(0, last.ToString());
        (await ReadAsync()).Should().Be(expected);
        var snapshots = await _cli.RunAsync("snapshots", "sales.orders", "--format", "json");
        snapshots.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle("every snapshot but the current one expired");
        var current = JsonDocument.Parse(snapshots.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]).RootElement;
        DataFiles().Should().HaveCount((int)current.GetProperty("totalFiles").GetInt64(), "no file of a killed compaction or an interrupted expiry is left behind");
        var journals = Path.Combine(_cli.Home, "lake", "curated", "_maintenance", "sales", "orders");
        (Directory.Exists(journals) ? Directory.GetFiles(journals) : []).Should().BeEmpty("no journal of an interrupted expiry is left");
    }

    private async Task<(long Count, decimal Sum)> PrepareAsync()
    {
        await _cli.InitAsync();
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders))).ExitCode.Should().Be(0);
        for (var run = 0; run < Runs; run++)
        {
            var csv = Path.Combine(_cli.Root, $"run{run}.csv");
            OrdersCsv.Write(csv, RowsPerRun, withBadRows: false, seed: run + 1);
            var result = await _cli.RunAsync("run", "sales.orders", csv);
            result.ExitCode.Should().Be(0, result.ToString());
        }

        return await ReadAsync();
    }

    private List<string> DataFiles()
        => [.. Directory.GetFiles(Path.Combine(_cli.Home, "lake", "curated", "sales", "orders", "data"), "*.parquet", SearchOption.AllDirectories)];

    private Task<(List<(long, decimal)> States, List<string> Failures)> PollUntilExitAsync(Process writer) => TablePoller.PollUntilExitAsync(writer, _cli.Home);

    private Task<(long Count, decimal Sum)> ReadAsync() => TablePoller.ReadAsync(_cli.Home);
}
