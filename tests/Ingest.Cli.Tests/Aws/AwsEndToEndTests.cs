using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Ingest.Aws;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure.Aws;
using Ingest.Definitions;
using Ingest.Storage;

namespace Ingest.Cli.Tests.Aws;

/// <summary>
/// The CLI with <c>--target aws</c> against the real S3 and DynamoDB servers (s3rver, dynalite), configured from a
/// Terraform outputs file plus INGEST_Aws__* variables, as a user configures it.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class AwsEndToEndTests(AwsServers servers) : IDisposable
{
    private readonly List<CliHarness> _harnesses = [];

    public void Dispose() => _harnesses.ForEach(h => h.Dispose());

    [Fact]
    public async Task TargetAws_InitAddRunRunsRerunQuery_WorksAndLandsTheData()
    {
        var (cli, target) = Create();

        var check = await cli.RunAsync("init");
        check.ExitCode.Should().Be(2, check.ToString());
        check.Errors.Should().StartWith("error: The AWS resources do not answer").And.Contain(target.Buckets["raw"]).And.Contain("--create-resources");
        check.Errors.TrimEnd().Should().NotContain("\n");

        var created = await cli.RunAsync("init", "--create-resources");
        created.ExitCode.Should().Be(0, created.ToString());
        created.Output.Should().Contain($"s3://{target.Buckets["curated"]}/").And.Contain(target.TableName);
        var init = await cli.RunAsync("init");
        init.ExitCode.Should().Be(0, init.ToString());
        init.Output.Should().Contain("AWS resources answer");
        Directory.Exists(cli.Home).Should().BeFalse("the AWS target has no home folder");

        var added = await cli.RunAsync("datasets", "add", cli.WriteFile("orders.json", TestDefinitions.Orders));
        added.ExitCode.Should().Be(0, added.ToString());
        added.Output.Should().Contain("registered sales.orders v1");
        var list = await cli.RunAsync("datasets", "list");
        list.Output.Should().Contain("sales.orders");
        var diff = await cli.RunAsync("datasets", "diff", "sales.orders", cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));
        diff.ExitCode.Should().Be(0, diff.ToString());
        diff.Output.Should().Contain("channel");
        var validate = await cli.RunAsync("datasets", "validate", cli.WriteFile("incompatible.json", TestDefinitions.OrdersIncompatible));
        validate.ExitCode.Should().Be(1, validate.ToString());

        var csv = Path.Combine(cli.Root, "orders.csv");
        var data = OrdersCsv.Write(csv, 1200, withBadRows: true);
        var run = await cli.RunAsync("run", "sales.orders", csv);
        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("succeeded").And.Contain($"s3://{target.Buckets["quarantine"]}/sales/orders/");

        // One CloudWatch EMF line on standard error, with the figures of the run the ledger recorded.
        var backends = AwsIngest.CreateBackends(target.Options);
        var recorded = await backends.Ledger.ListRunsAsync(DatasetId.Parse("sales.orders")).SingleAsync();
        var lines = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle("one EMF record per run");
        var emf = JsonNode.Parse(lines[0])!;
        emf["_aws"]!["CloudWatchMetrics"]![0]!["Namespace"]!.GetValue<string>().Should().Be("Ingest");
        emf["RunId"]!.GetValue<string>().Should().Be(recorded.RunId);
        emf["RowsRead"]!.GetValue<double>().Should().Be(recorded.RowsRead).And.Be(data.Good.Count + data.BadRows);
        emf["RowsRejected"]!.GetValue<double>().Should().Be(recorded.RowsRejected).And.Be(data.BadRows);
        emf["FilesWritten"]!.GetValue<double>().Should().Be(recorded.FilesWritten.Count);
        emf["BytesWritten"]!.GetValue<double>().Should().Be(recorded.Counters["ingest.bytes_written"]).And.BePositive();
        run.Output.Should().Contain($"{recorded.FilesWritten.Count} (", "the summary shows the same files and bytes");

        var again = await cli.RunAsync("run", "sales.orders", csv);
        again.ExitCode.Should().Be(0, again.ToString());
        again.Output.Should().Contain("Nothing to ingest");

        var runs = await cli.RunAsync("runs", "sales.orders");
        runs.ExitCode.Should().Be(0, runs.ToString());
        runs.Output.Should().Contain("succeeded").And.Contain("skipped")
            .And.Contain(data.Good.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));

        // Read back what landed in S3 with an independent reader (DuckDB over the downloaded Parquet).
        (await CountRowsAsync(backends.Lake, LakeZone.Curated, cli.Root)).Should().Be(data.Good.Count);
        (await CountRowsAsync(backends.Lake, LakeZone.Quarantine, cli.Root)).Should().Be(data.BadRows);

        // The table's history from S3 and the DynamoDB pointer: one snapshot, with the run's rows.
        var snapshots = await cli.RunAsync("snapshots", "sales.orders", "--format", "json");
        snapshots.ExitCode.Should().Be(0, snapshots.ToString());
        var snapshot = JsonNode.Parse(snapshots.Output.Trim())!;
        (snapshot["runId"]!.GetValue<string>(), snapshot["totalRecords"]!.GetValue<long>(), snapshot["current"]!.GetValue<bool>()).Should().Be((recorded.RunId, (long)data.Good.Count, true));

        // Rejected rows from S3: the published ones of this run, then those a run over its budget kept apart.
        var rejects = await cli.RunAsync("rejects", "sales.orders");
        rejects.ExitCode.Should().Be(0, rejects.ToString());
        rejects.Output.Split('\n').Count(l => l.StartsWith("  orders.csv line ", StringComparison.Ordinal)).Should().Be(data.BadRows);
        var failed = await cli.RunAsync("run", "sales.orders", cli.WriteFile("bad.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,x\n"));
        failed.ExitCode.Should().Be(1, failed.ToString());
        var failedRun = await backends.Ledger.ListRunsAsync(DatasetId.Parse("sales.orders")).FirstAsync();
        failedRun.RejectsKept.Should().ContainSingle().Which.Should().StartWith($"_failed_runs/sales/orders/{failedRun.RunId}/");
        (await backends.Lake.GetAsync(LakeZone.Quarantine, failedRun.RejectsKept[0])).Should().NotBeNull("the kept rejects are in the quarantine bucket");
        var kept = await cli.RunAsync("rejects", "sales.orders", "--run", failedRun.RunId);
        kept.Output.Should().Contain("failed: 1 rejected row, kept apart").And.Contain("  bad.csv line 2: amount: \"x\" is not a decimal(18,2)");
        (await CountRowsAsync(backends.Lake, LakeZone.Quarantine, cli.Root + "/after")).Should().Be(data.BadRows, "nothing of the failed run is under the quarantine table's prefix");
    }

    [Fact]
    public async Task TargetAws_SettingsFileAndEnvironment_OverrideTerraformOutputsInOrder()
    {
        var (cli, target) = Create();
        var settings = cli.WriteFile("aws.json", """{ "Aws": { "TableName": "from-file", "Region": "eu-west-1", "ZoneBuckets": { "raw": "file-raw" } } }""");
        var factory = new Hosting.AwsBackendFactory(new Dictionary<string, string?> { ["INGEST_Aws__TableName"] = "from-env", ["OTHER_Aws__Region"] = "xx" });

        var options = factory.LoadOptions(Settings(target.TerraformOutputs, settings));

        options.TableName.Should().Be("from-env");
        options.Region.Should().Be("eu-west-1");
        options.ZoneBuckets.Should().Equal(new Dictionary<string, string>
        {
            ["raw"] = "file-raw",
            ["curated"] = target.Buckets["curated"],
            ["quarantine"] = target.Buckets["quarantine"],
        });
    }

    [Fact]
    public async Task TargetAws_EnvironmentOverridesTheTable_RunsAgainstIt()
    {
        var (cli, target) = Create();
        cli.Environment["INGEST_Aws__TableName"] = target.TableName + "-env";

        var created = await cli.RunAsync("init", "--create-resources");
        var list = await cli.RunAsync("datasets", "list");

        created.ExitCode.Should().Be(0, created.ToString());
        created.Output.Should().Contain(target.TableName + "-env");
        list.ExitCode.Should().Be(0, list.ToString());
    }

    [Theory]
    [InlineData("INGEST_Aws__Region", "Europe", "Aws:Region 'Europe' is not a region name")]
    [InlineData("INGEST_Aws__ZoneBuckets__raw", "Not_A_Bucket", "Aws:ZoneBuckets[raw] 'Not_A_Bucket' is not a valid S3 bucket name")]
    [InlineData("INGEST_Aws__PartSizeBytes", "lots", "Aws:PartSizeBytes")]
    [InlineData("INGEST_Aws__Regoin", "eu-west-1", "Regoin")]
    public async Task TargetAws_InvalidSetting_FailsWithOneLineNamingIt(string variable, string value, string expected)
    {
        var (cli, _) = Create();
        cli.Environment[variable] = value;

        var result = await cli.RunAsync("datasets", "list");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: AWS settings: ").And.Contain(expected);
        result.Errors.TrimEnd().Should().NotContain("\n");
    }

    [Fact]
    public async Task TargetAws_NoBucket_FailsNamingTheSetting()
    {
        var cli = Track(CliHarness.Aws());

        var result = await cli.RunAsync("runs", "sales.orders");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: AWS settings: Aws:Bucket is required").And.Contain("INGEST_Aws__");
    }

    [Fact]
    public async Task TargetAws_BrokenOrMissingFiles_FailNamingTheOption()
    {
        var cli = Track(CliHarness.Aws());
        var outputs = cli.WriteFile("outputs.json", """{ "ingest_table_name": { "value": 42 } }""");

        var wrongType = await cli.RunAsync("--terraform-outputs", outputs, "datasets", "list");
        var missing = await cli.RunAsync("--aws-settings", Path.Combine(cli.Root, "nope.json"), "datasets", "list");
        var badTarget = await cli.RunAsync("--target", "azure", "datasets", "list");

        wrongType.ExitCode.Should().Be(2, wrongType.ToString());
        wrongType.Errors.Should().Contain("--terraform-outputs").And.Contain("'ingest_table_name' must be a string");
        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.Errors.Should().Contain("--aws-settings file").And.Contain("does not exist");
        badTarget.ExitCode.Should().Be(2, badTarget.ToString());
        badTarget.Errors.Should().Contain("--target 'azure' is not a target");
    }

    private static Hosting.GlobalSettings Settings(string outputs, string settings)
        => new() { Target = "aws", TerraformOutputs = outputs, AwsSettings = settings };

    private (CliHarness Cli, AwsTarget Target) Create()
    {
        var (cli, target) = AwsTarget.Create(servers);
        Track(cli);
        return (cli, target);
    }

    private CliHarness Track(CliHarness cli)
    {
        _harnesses.Add(cli);
        return cli;
    }

    private static async Task<long> CountRowsAsync(ILakeStorage lake, LakeZone zone, string root)
    {
        var folder = Path.Combine(root, "readback-" + zone.Name);
        Directory.CreateDirectory(folder);
        var files = 0;
        await foreach (var item in lake.ListAsync(zone, "sales/orders/"))
        {
            if (item.Key.EndsWith(".parquet", StringComparison.Ordinal))
            {
                await using var source = await lake.OpenReadAsync(zone, item.Key);
                await using var file = File.Create(Path.Combine(folder, $"{files++}.parquet"));
                await source.CopyToAsync(file);
            }
        }

        files.Should().BePositive($"the {zone.Name} zone holds Parquet files of sales.orders");
        using var duckDb = new DuckDBConnection("DataSource=:memory:");
        await duckDb.OpenAsync();
        using var command = duckDb.CreateCommand();
        command.CommandText = $"select count(*) from read_parquet('{folder.Replace("'", "''", StringComparison.Ordinal)}/*.parquet', union_by_name = true)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
