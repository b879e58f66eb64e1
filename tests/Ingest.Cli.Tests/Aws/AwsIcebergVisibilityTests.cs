using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Ingest.Aws;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Catalog;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure.Aws;
using Ingest.Definitions;
using Ingest.Storage;
using Ingest.Tests.Shared;
using Xunit.Abstractions;

namespace Ingest.Cli.Tests.Aws;

/// <summary>
/// Readers of an Iceberg table on S3 never see part of a run. The writer is an <c>ingest --target aws run</c> child
/// process against s3rver and dynalite (the table's pointer in DynamoDB, as without Glue); this process resolves the
/// current snapshot and reads every file it lists from S3 with DuckDB, over and over while the run commits. Every read
/// is the state before the run or after it: no mixed read, no failed read. A run killed at random points leaves a
/// committed snapshot visible, and the next run completes or discards it with every row exactly once.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class AwsIcebergVisibilityTests(AwsServers servers, ITestOutputHelper log) : IDisposable
{
    private const int FirstRows = 50_000;
    private const int SecondRows = 200_000;

    private readonly List<CliHarness> _harnesses = [];

    public void Dispose() => _harnesses.ForEach(h => h.Dispose());

    [Theory]
    [InlineData("append")]
    [InlineData("overwrite-partitions")]
    [InlineData("merge")]
    public async Task Run_OnS3_ReaderInAnotherProcessPolling_SeesOnlyTheStateBeforeOrAfter(string mode)
    {
        var (cli, target, first, second) = await PrepareAsync(mode);
        var reader = new SnapshotReader(target, cli.Root);
        var before = await reader.ReadAsync();
        before.Should().Be((first.Good.Count, first.TotalAmount), "the first run is the state before");

        var output = new StringBuilder();
        using var writer = StartWriter(cli, target, output, second);
        var (states, failures) = await PollUntilExitAsync(writer, reader);
        writer.ExitCode.Should().Be(0, output.ToString());
        var after = await reader.ReadAsync();

        after.Should().NotBe(before, "the second run changed the table");
        failures.Should().BeEmpty("a reader of one snapshot's files never finds a file missing on S3");
        var mixed = states.Where(s => s != before && s != after).Distinct().ToList();
        mixed.Should().BeEmpty($"every read is the whole state before or after the {mode} run");
        states.Count.Should().BeGreaterThan(3, "the reader polled throughout the run");
        log.WriteLine($"{mode}: {states.Count} reads, {states.Count(s => s == before)} before, {states.Count(s => s == after)} after, {failures.Count} failed");
    }

    [Fact]
    public async Task Run_OnS3_KilledAtRandomPoints_ReadersSeeACommittedSnapshot_AndTheNextRunIngestsEveryRowOnce()
    {
        var (cli, target, first, second) = await PrepareAsync("append");
        var data = OrdersCsv.Write(second, SecondRows, withBadRows: false, seed: 7);
        var reader = new SnapshotReader(target, cli.Root);
        var committedStates = new[] { ((long)first.Good.Count, first.TotalAmount), ((long)first.Good.Count + data.Good.Count, first.TotalAmount + data.TotalAmount) };
        var random = new Random(20261202);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var output = new StringBuilder();
            using var writer = StartWriter(cli, target, output, second);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 4000)));
            if (!writer.HasExited)
            {
                writer.Kill(entireProcessTree: true);
            }

            await writer.WaitForExitAsync();
            log.WriteLine($"attempt {attempt}: exit {writer.ExitCode}; last output: {output.ToString().Trim().Split('\n').LastOrDefault()}");
            (await reader.ReadAsync()).Should().BeOneOf(committedStates, $"after a kill (attempt {attempt}) readers see a committed snapshot only{Environment.NewLine}{output}");
        }

        var rerun = await cli.RunAsync("run", "sales.orders", second);
        rerun.ExitCode.Should().Be(0, rerun.ToString());
        (await reader.ReadAsync()).Should().Be(committedStates[1], "after recovery every row of both inputs is there exactly once");
        (await reader.DistinctRowsMissingAsync()).Should().Be(0, "no row of an input is doubled");
        var again = await cli.RunAsync("run", "sales.orders", second);
        again.Output.Should().Contain("Nothing to ingest", "the input is recorded as ingested");
        var backends = AwsIngest.CreateBackends(target.Options);
        foreach (var zone in LakeZone.All)
        {
            (await backends.Lake.ListAsync(zone, DatasetLayout.StagingDatasetPrefix(DatasetId.Parse("sales.orders"))).CountAsync())
                .Should().Be(0, $"recovery left nothing staged in {zone}");
        }

        var rawCopies = await backends.Lake.ListAsync(LakeZone.Raw, DatasetLayout.DatasetPrefix(DatasetId.Parse("sales.orders"))).Select(o => o.Key).ToListAsync();
        rawCopies.Should().HaveCount(2, $"one raw copy per input, the killed runs' copies removed: {string.Join(", ", rawCopies)}");
    }

    private async Task<(CliHarness Cli, AwsTarget Target, OrdersCsv First, string Second)> PrepareAsync(string mode)
    {
        var (cli, target) = AwsTarget.Create(servers);
        _harnesses.Add(cli);
        (await cli.RunAsync("init", "--create-resources")).ExitCode.Should().Be(0);
        var definition = TestDefinitions.Orders.Replace("\"quality\":", $"\"write\": {{ \"mode\": \"{mode}\" }},\n  \"quality\":", StringComparison.Ordinal);
        var added = await cli.RunAsync("datasets", "add", cli.WriteFile("orders.json", definition));
        added.ExitCode.Should().Be(0, added.ToString());
        var firstCsv = Path.Combine(cli.Root, "first.csv");
        var first = OrdersCsv.Write(firstCsv, FirstRows, withBadRows: false, seed: 1);
        var run = await cli.RunAsync("run", "sales.orders", firstCsv);
        run.ExitCode.Should().Be(0, run.ToString());
        var second = Path.Combine(cli.Root, "second.csv");
        OrdersCsv.Write(second, SecondRows, withBadRows: false, seed: 7);
        return (cli, target, first, second);
    }

    private static Process StartWriter(CliHarness cli, AwsTarget target, StringBuilder output, string input)
    {
        var environment = target.Environment.ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal);
        environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        return CliProcess.Start(output, environment, ["--home", cli.Home, .. cli.TargetArgs, "run", "sales.orders", input]);
    }

    private static async Task<(List<(long, decimal)> States, List<string> Failures)> PollUntilExitAsync(Process writer, SnapshotReader reader)
    {
        var states = new List<(long, decimal)>();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        while (!writer.HasExited && clock.Elapsed < TimeSpan.FromMinutes(4))
        {
            try
            {
                states.Add(await reader.ReadAsync());
            }
            catch (Exception ex) when (ex is IngestException or IOException or Amazon.Runtime.AmazonServiceException or DuckDBException)
            {
                failures.Add(ex.Message);
            }
        }

        await writer.WaitForExitAsync();
        return (states, failures);
    }

    /// <summary>Reads the table as a reader in its own process would: pointer, metadata, manifests, then every listed file from S3.</summary>
    private sealed class SnapshotReader(AwsTarget target, string root)
    {
        private readonly IngestBackends _backends = AwsIngest.CreateBackends(target.Options);
        private readonly string _folder = Directory.CreateDirectory(Path.Combine(root, "reads")).FullName;

        public async Task<(long Count, decimal Sum)> ReadAsync()
        {
            var files = await DownloadAsync();
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*), coalesce(sum(amount), 0) FROM read_parquet([{string.Join(", ", files.Select(p => "'" + p + "'"))}])";
            using var result = command.ExecuteReader();
            result.Read();
            return (result.GetInt64(0), result.GetDecimal(1));
        }

        public async Task<long> DistinctRowsMissingAsync()
        {
            var files = await DownloadAsync();
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) - count(DISTINCT (order_id, _source_file)) FROM read_parquet([{string.Join(", ", files.Select(p => "'" + p + "'"))}])";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        private async Task<List<string>> DownloadAsync()
        {
            var registered = await _backends.Registry.GetAsync(DatasetId.Parse("sales.orders")) ?? throw new InvalidOperationException("sales.orders is not registered.");
            var snapshot = await TableSnapshots.ResolveAsync(registered, _backends.Lake, _backends.IcebergCatalog!);
            var prefix = DatasetLayout.DatasetPrefix(registered.Dataset);
            var tableRoot = _backends.Lake.GetAddress(LakeZone.Curated, prefix).TrimEnd('/') + "/";
            var read = Directory.CreateDirectory(Path.Combine(_folder, Guid.NewGuid().ToString("N"))).FullName;
            var local = new List<string>();
            foreach (var address in snapshot.Files)
            {
                var path = Path.Combine(read, local.Count.ToString(CultureInfo.InvariantCulture) + ".parquet");
                var source = await _backends.Lake.OpenReadAsync(LakeZone.Curated, prefix + address[tableRoot.Length..]);
                await using (source)
                await using (var target = File.Create(path))
                {
                    await source.CopyToAsync(target);
                }

                local.Add(path);
            }

            return local;
        }
    }
}
