using Ingest.Tests.Shared;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ingest.Aws;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Tests.Protocol;
using Ingest.Catalog;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure.Aws;
using Ingest.Definitions;
using Ingest.Storage;
using Xunit.Abstractions;

namespace Ingest.Cli.Tests.Aws;

/// <summary>
/// The snapshots of an Iceberg table on S3 (s3rver, the pointer in dynalite) through <c>ingest --target aws</c>: the
/// estimate from the manifests against the files on S3, time travel sent to Athena (a loopback server checked against the
/// official Athena model), and maintenance, after which icebird reads the same rows and S3 holds only what the current
/// snapshot references.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class AwsMaintenanceTests(AwsServers servers, ITestOutputHelper log) : IDisposable
{
    private const int Runs = 3;
    private const int RowsPerRun = 400;

    private readonly List<CliHarness> _harnesses = [];

    public void Dispose() => _harnesses.ForEach(h => h.Dispose());

    [Fact]
    public async Task Maintain_OnS3_CompactsAndExpires_IcebirdReadsTheSameRows_AndS3HoldsOnlyTheCurrentSnapshotsFiles()
    {
        var (cli, target, count, amount) = await PrepareAsync();
        var backends = AwsIngest.CreateBackends(target.Options);
        var before = await CurrentAsync(backends);
        before.Files.Count.Should().BeGreaterThan(12, "three runs wrote small files into the same monthly partitions");

        var maintain = await cli.RunAsync("maintain", "sales.orders", "--retain", "0s", "--retain-last", "1", "--orphan-grace", "0s");

        maintain.ExitCode.Should().Be(0, maintain.ToString());
        log.WriteLine(maintain.Output);
        var snapshots = await SnapshotsAsync(cli);
        var current = snapshots.Single(s => s["current"]!.GetValue<bool>());
        current["operation"]!.GetValue<string>().Should().Be("replace", "compaction commits a replace snapshot");
        current["totalRecords"]!.GetValue<long>().Should().Be(count);
        snapshots.Should().HaveCount(1, "--retain 0s --retain-last 1 expires every snapshot but the current one");

        var after = await CurrentAsync(backends);
        after.Files.Count.Should().BeLessThan(before.Files.Count, "small files of a partition were rewritten together");
        var s3 = await DownloadTableAsync(backends, cli.Root);
        var read = await IcebirdAsync(s3.Root, after.MetadataLocation!);
        read.GetProperty("rows").GetInt64().Should().Be(count, "icebird reads every row once after maintenance");
        read.GetProperty("sums").GetProperty("amount").GetDouble().Should().BeApproximately((double)amount, 0.005);
        var live = read.GetProperty("liveFiles").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        live.Should().BeEquivalentTo(after.Files, "icebird and Ingest resolve the same snapshot");

        // The version hint names the current metadata version for readers that find tables by path (icebird, Hadoop tables).
        var hint = after.MetadataLocation![..after.MetadataLocation!.LastIndexOf('/')] + "/version-hint.text";
        var referenced = new HashSet<string>(live, StringComparer.Ordinal) { after.MetadataLocation!, read.GetProperty("manifestList").GetString()!, hint };
        referenced.UnionWith(read.GetProperty("manifests").EnumerateArray().Select(e => e.GetString()!));
        var metadataLog = read.GetProperty("metadataLog").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var extra = s3.Addresses.Where(a => !referenced.Contains(a) && !(metadataLog.Contains(a) && a.EndsWith(".metadata.json", StringComparison.Ordinal))).ToList();
        extra.Should().BeEmpty("after expiry and orphan removal S3 holds only what the current snapshot references (and the metadata log)");
        referenced.Should().OnlyContain(a => s3.Addresses.Contains(a), "no file the current snapshot references was deleted");
        s3.Addresses.Count(a => a.EndsWith(".parquet", StringComparison.Ordinal)).Should().Be(after.Files.Count);

        var estimate = await cli.RunAsync("query", "select count(*) from sales.orders", "--estimate");
        estimate.ExitCode.Should().Be(0, estimate.ToString());
        estimate.Output.Should().Contain($"({ConsoleOutput(s3.Sizes.Where(p => after.Files.Contains(p.Key)).Sum(p => p.Value))} bytes)", "after compaction the estimate is the compacted files' size");
    }

    [Fact]
    public async Task Query_OnS3_EstimateIsTheSizeOfTheMatchingPartitionsFiles_AndNothingRuns()
    {
        var (cli, target, _, _) = await PrepareAsync();
        var backends = AwsIngest.CreateBackends(target.Options);
        var current = await CurrentAsync(backends);
        var s3 = await DownloadTableAsync(backends, cli.Root);
        var all = current.Files.Sum(f => s3.Sizes[f]);
        var december = current.Files.Where(f => f.Contains("=2024-12/", StringComparison.Ordinal)).Sum(f => s3.Sizes[f]);
        december.Should().BePositive().And.BeLessThan(all);

        var whole = await cli.RunAsync("query", "select count(*) from sales.orders", "--estimate");
        var pruned = await cli.RunAsync("query", "select count(*) from sales.orders o where o.order_date >= ?", "--param", "2024-12-01", "--estimate");
        var notPrunable = await cli.RunAsync("query", "select count(*) from sales.orders where order_date >= DATE '2024-12-01' or quantity = 3", "--estimate");

        whole.ExitCode.Should().Be(0, whole.ToString());
        whole.Output.Should().Contain($"{current.Files.Count} of {current.Files.Count} files").And.Contain($"({ConsoleOutput(all)} bytes), no pruning");
        whole.Output.Should().Contain("the query was not run").And.Contain("estimated cost USD 0.000050", "below 10 MB Athena bills 10 MB");
        pruned.ExitCode.Should().Be(0, pruned.ToString());
        pruned.Output.Should().Contain($"({ConsoleOutput(december)} bytes), pruned by order_date >= DATE '2024-12-01'");
        notPrunable.Output.Should().Contain($"({ConsoleOutput(all)} bytes), no pruning", "an OR prunes nothing: the estimate stays an upper bound");
    }

    [Fact]
    public async Task Query_TargetAwsAsOf_SendsForVersionAsOfToAthena_ForTheSnapshotsOfTheTableOnS3()
    {
        var (cli, _, _, _) = await PrepareAsync();
        await using var athena = new LoopbackAwsServer();
        athena.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ => CannedResponse.Ok(Canned.GetQueryExecution("SUCCEEDED")),
            ["GetQueryResults"] = r => CannedResponse.Ok(r.Json["NextToken"] is null ? Canned.GetQueryResultsPage1 : Canned.GetQueryResultsPage2),
        });
        cli.Environment["INGEST_Aws__AthenaServiceUrl"] = athena.Url;
        var oldest = (await SnapshotsAsync(cli))[^1]["snapshotId"]!.GetValue<long>();

        var byId = await cli.RunAsync("query", "select count(*) from sales.orders o where o.country = ?", "-p", "DE", "--as-of", oldest.ToString(CultureInfo.InvariantCulture));
        var byTime = await cli.RunAsync("query", "select count(*) from sales.orders", "--as-of", "2099-01-01T02:00:00+02:00");
        var unknown = await cli.RunAsync("query", "select count(*) from sales.orders", "--as-of", "4242");

        byId.ExitCode.Should().Be(0, byId.ToString());
        byTime.ExitCode.Should().Be(0, byTime.ToString());
        athena.Received("StartQueryExecution").Select(r => r.Json["QueryString"]!.GetValue<string>()).Should().Equal(
            $"select count(*) from sales.orders FOR VERSION AS OF {oldest} o where o.country = ?",
            "select count(*) from sales.orders FOR TIMESTAMP AS OF TIMESTAMP '2099-01-01 00:00:00.000000 UTC'");
        unknown.ExitCode.Should().Be(2, unknown.ToString());
        unknown.Errors.Should().StartWith("error: query failed: --as-of 4242: none of the Iceberg tables the query reads (sales.orders) has it");
        athena.Received("StartQueryExecution").Should().HaveCount(2, "nothing was sent for the unknown snapshot");
        var model = AwsApiModel.Load("athena-2017-05-18");
        foreach (var request in athena.Requests)
        {
            model.CheckRequest(request).Should().BeEmpty($"{request.Operation} sent {request.Body}");
        }
    }

    private static string ConsoleOutput(long bytes) => bytes.ToString("#,0", CultureInfo.InvariantCulture);

    private async Task<(CliHarness Cli, AwsTarget Target, long Count, decimal Amount)> PrepareAsync()
    {
        var (cli, target) = AwsTarget.Create(servers);
        _harnesses.Add(cli);
        (await cli.RunAsync("init", "--create-resources")).ExitCode.Should().Be(0);
        var definition = TestDefinitions.Orders.Replace("\"quality\":", "\"write\": { \"mode\": \"append\" },\n  \"table\": { \"maintenance\": { \"compactionMinFiles\": 3 } },\n  \"quality\":", StringComparison.Ordinal);
        var added = await cli.RunAsync("datasets", "add", cli.WriteFile("orders.json", definition));
        added.ExitCode.Should().Be(0, added.ToString());
        long count = 0;
        decimal amount = 0;
        for (var run = 0; run < Runs; run++)
        {
            var csv = Path.Combine(cli.Root, $"orders-{run}.csv");
            var data = OrdersCsv.Write(csv, RowsPerRun, withBadRows: false, seed: 100 + run);
            var result = await cli.RunAsync("run", "sales.orders", csv);
            result.ExitCode.Should().Be(0, result.ToString());
            count += data.Good.Count;
            amount += data.TotalAmount;
        }

        return (cli, target, count, amount);
    }

    private static async Task<List<JsonNode>> SnapshotsAsync(CliHarness cli)
    {
        var snapshots = await cli.RunAsync("snapshots", "sales.orders", "--format", "json");
        snapshots.ExitCode.Should().Be(0, snapshots.ToString());
        return [.. snapshots.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];
    }

    private static async Task<(string? MetadataLocation, HashSet<string> Files)> CurrentAsync(IngestBackends backends)
    {
        var registered = await backends.Registry.GetAsync(DatasetId.Parse("sales.orders")) ?? throw new InvalidOperationException("sales.orders is not registered.");
        var snapshot = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
        return (snapshot.MetadataLocation, snapshot.Files.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Copies every object of the table's prefix on S3 to <c>{root}/s3/{bucket}/{key}</c>; returns the addresses and sizes.</summary>
    private static async Task<(string Root, HashSet<string> Addresses, Dictionary<string, long> Sizes)> DownloadTableAsync(IngestBackends backends, string root)
    {
        var folder = Path.Combine(root, "s3-" + Guid.NewGuid().ToString("N")[..8]);
        var prefix = DatasetLayout.DatasetPrefix(DatasetId.Parse("sales.orders"));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in backends.Lake.ListAsync(LakeZone.Curated, prefix))
        {
            var address = backends.Lake.GetAddress(LakeZone.Curated, item.Key);
            var match = Regex.Match(address, "^s3://([^/]+)/(.+)$");
            match.Success.Should().BeTrue(address);
            var path = Path.Combine(folder, match.Groups[1].Value, match.Groups[2].Value);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (var source = await backends.Lake.OpenReadAsync(LakeZone.Curated, item.Key))
            await using (var file = File.Create(path))
            {
                await source.CopyToAsync(file);
            }

            sizes[address] = new FileInfo(path).Length;
        }

        return (folder, [.. sizes.Keys], sizes);
    }

    /// <summary>Runs icebird on the S3 table copied under <paramref name="s3Root"/>.</summary>
    private static Task<JsonElement> IcebirdAsync(string s3Root, string metadataLocation)
    {
        var split = metadataLocation.LastIndexOf("/metadata/", StringComparison.Ordinal);
        return Icebird.ReadAsync(metadataLocation[..split], metadataLocation[(split + "/metadata/".Length)..], s3Root, "amount");
    }
}
