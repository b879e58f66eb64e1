using System.Diagnostics;
using System.Text;
using Ingest.Tests.Shared;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.EndToEnd;

/// <summary>
/// A run killed mid-way (the process and its children, no chance to clean up) publishes nothing, and the next run
/// cleans up after it, takes over its lease (its process is gone) and ingests everything exactly once.
/// </summary>
public sealed class KillTests : IDisposable
{
    private const int Rows = 1_500_000;

    private readonly CliHarness _cli = CliHarness.Local();
    private readonly string _curatedStaging;
    private readonly string _curatedDataset;

    public KillTests()
    {
        _curatedStaging = Path.Combine(_cli.Home, "lake", "curated", "_staging");
        _curatedDataset = Path.Combine(_cli.Home, "lake", "curated", "sales", "orders");
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Run_KilledWhileStaging_PublishesNothing_AndTheNextRunTakesOver()
    {
        var (csv, data) = await KillARunWhileItStagesAsync();

        ParquetFiles(_curatedDataset).Should().BeEmpty("a killed run publishes nothing");
        (await _cli.ScalarAsync("select count(*) from sales.orders")).Should().Be(0);

        var rerun = await _cli.RunAsync("run", "sales.orders", csv);

        rerun.ExitCode.Should().Be(0, rerun.ToString());
        rerun.Output.Should().NotContain("Nothing to ingest", "the killed run ingested nothing");
        (await _cli.ScalarAsync("select count(*) from sales.orders")).Should().Be(data.Good.Count);
        (await _cli.ScalarAsync("select count(distinct order_id) from sales.orders")).Should().Be(data.Good.Count);
        Files(_curatedStaging).Should().BeEmpty("the dead run's staging, its unfinished temporary files included, is cleaned up");
        Files(Path.Combine(_cli.Home, "lake", "raw", "sales", "orders")).Should().ContainSingle(
            "the dead run's raw copy, written in place before it was killed, is removed; only the ingesting run's copy stays")
            .Which.Should().EndWith(Path.GetFileName(csv));
        Files(Path.Combine(_cli.Home, "lake", "raw", "_staging")).Should().BeEmpty("the dead run's raw markers are removed with its copy");
        var runs = await _cli.RunAsync("runs", "sales.orders");
        runs.Output.Should().Contain("succeeded").And.Contain("failed", "the dead run is recorded as failed");
    }

    /// <summary>Starts <c>ingest run</c> as a child process on a large file and kills it once it has staged a file.</summary>
    private async Task<(string Csv, OrdersCsv Data)> KillARunWhileItStagesAsync()
    {
        await _cli.InitAsync();
        // The Hive layout's staging protocol (ADR 1); IcebergVisibilityTests kill Iceberg runs.
        var hive = TestDefinitions.Orders.Replace("\"quality\":", "\"table\": { \"format\": \"hive\" },\n  \"quality\":", StringComparison.Ordinal);
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", hive))).ExitCode.Should().Be(0);
        var csv = Path.Combine(_cli.Root, "big.csv");
        var data = OrdersCsv.Write(csv, Rows, withBadRows: false);

        var output = new StringBuilder();
        using var process = CliProcess.Start(output, null, "--home", _cli.Home, "run", "sales.orders", csv);
        var staged = await CliProcess.WaitForAsync(() => AnyFile(_curatedStaging) || process.HasExited, TimeSpan.FromMinutes(2));
        process.HasExited.Should().BeFalse($"the run should still be staging when it is killed; it exited {(process.HasExited ? process.ExitCode : -1)}:{Environment.NewLine}{output}");
        staged.Should().BeTrue($"a staged file should appear under {_curatedStaging}:{Environment.NewLine}{output}");

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        return (csv, data);
    }



    private static bool AnyFile(string folder)
        => Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any();

    private static List<string> Files(string folder)
        => Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)] : [];

    private static List<string> ParquetFiles(string folder)
        => Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories)] : [];
}
