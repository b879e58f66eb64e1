using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Ingest.Aws.DynamoDb;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Testing;

namespace Ingest.Aws.Tests.DynamoDb;

/// <summary>
/// The Glue job's ledger (terraform/glue_ingest_job/ingest_core/ledger.py, run with python3) and the C# DynamoDB backends
/// share items: the job reads DEF#LATEST as the C# registry writes it, and the C# ledger reads the RUN# and SOURCE# items
/// the job writes (its requests are sent to dynalite as they are).
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class GlueJobLedgerInteropTests(AwsServers servers)
{
    private static readonly string JobFolder = Path.Combine(AwsServers.RepositoryRoot, "terraform", "glue_ingest_job");

    [Fact]
    public async Task GlueJob_ReadsTheDefinitionTheRegistryWrote()
    {
        var backends = AwsIngest.CreateBackends(servers.Options());
        var definition = await DatasetDefinitionSerializer.ReadFileAsync(Path.Combine(AwsServers.RepositoryRoot, "docs", "examples", "inventory.stock_levels.json"));
        var id = IngestTestData.NewDatasetId();
        var registered = await backends.Registry.RegisterAsync(definition with { Id = id });
        var item = await RawItemAsync(Keys.Dataset(id), Keys.Latest);

        var result = await PythonAsync(
            """
            version, d, fingerprint = ledger.read_registered(json.loads(sys.stdin.read()))
            print(json.dumps({"version": version, "id": d["id"], "workers": d["engine"]["glue"]["numberOfWorkers"], "fingerprint": fingerprint}))
            """,
            LowLevelJson.FromAttributes(item).ToJsonString());

        result["version"]!.GetValue<int>().Should().Be(registered.Version);
        result["id"]!.GetValue<string>().Should().Be(id.ToString());
        result["workers"]!.GetValue<int>().Should().Be(10);
        result["fingerprint"]!.GetValue<string>().Should().Be(registered.Fingerprint);
    }

    [Fact]
    public async Task Ledger_ReadsTheRunAndFingerprintTheGlueJobCommitted()
    {
        var id = IngestTestData.NewDatasetId();
        const string runId = "20261125T020000Z-45fc5712";
        var sha = new string('e', 64);
        var requests = await PythonAsync(
            """
            args = json.loads(sys.stdin.read())
            t0 = datetime.datetime(2026, 11, 25, 2, 0, 0, 123000, tzinfo=datetime.timezone.utc)
            run = ledger.new_run(args["runId"], args["dataset"], 1, t0)
            source = ledger.source_fingerprint(args["sha"], "stock.parquet", 10, "raw/key", args["runId"])
            done = ledger.transition(run, "succeeded", t0 + datetime.timedelta(minutes=5), rowsRead=10, rowsWritten=9, rowsRejected=1,
                                     partitionsWritten=["ingest_date=2026-11-25/warehouse_id=W1/"], sources=[source], watermarks={"orders": "42"})
            print(json.dumps({"start": ledger.start_run_request("ingest", run), "commit": ledger.commit_transaction("ingest", done)}))
            """,
            new JsonObject { ["runId"] = runId, ["dataset"] = id.ToString(), ["sha"] = sha }.ToJsonString());

        var ledger = AwsIngest.CreateBackends(servers.Options()).Ledger;
        (await ledger.TryAcquireLeaseAsync(id, new LeaseOwner(runId, "glue", 0), TimeSpan.FromMinutes(5))).Acquired.Should().BeTrue();
        using var client = AwsIngest.CreateClients(servers.Options()).DynamoDb;
        var start = requests["start"]!;
        await client.PutItemAsync(new PutItemRequest { TableName = AwsServers.TableName, Item = LowLevelJson.ToAttributes(start["Item"]!), ConditionExpression = start["ConditionExpression"]!.GetValue<string>() });

        (await ledger.GetRunAsync(id, runId))!.Status.Should().Be(RunStatus.Running);

        // dynalite has no transactions: the job's TransactWriteItems are applied one by one, conditions included.
        foreach (var action in requests["commit"]!["TransactItems"]!.AsArray())
        {
            if (action!["Update"] is { } update)
            {
                await client.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = AwsServers.TableName,
                    Key = LowLevelJson.ToAttributes(update["Key"]!),
                    UpdateExpression = update["UpdateExpression"]!.GetValue<string>(),
                    ConditionExpression = update["ConditionExpression"]!.GetValue<string>(),
                    ExpressionAttributeNames = update["ExpressionAttributeNames"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
                    ExpressionAttributeValues = LowLevelJson.ToAttributes(update["ExpressionAttributeValues"]!),
                });
            }
            else if (action["Put"] is { } put)
            {
                await client.PutItemAsync(new PutItemRequest { TableName = AwsServers.TableName, Item = LowLevelJson.ToAttributes(put["Item"]!), ConditionExpression = put["ConditionExpression"]!.GetValue<string>() });
            }
        }

        var run = (await ledger.GetRunAsync(id, runId))!;
        run.Status.Should().Be(RunStatus.Succeeded);
        run.StartedAt.Should().Be(new DateTimeOffset(2026, 11, 25, 2, 0, 0, 123, TimeSpan.Zero));
        (run.RowsRead, run.RowsWritten, run.RowsRejected).Should().Be((10L, 9L, 1L));
        run.PartitionsWritten.Should().Equal("ingest_date=2026-11-25/warehouse_id=W1/");
        run.Watermarks.Should().Equal(new Dictionary<string, string> { ["orders"] = "42" });
        (await ledger.ListRunsAsync(id).ToListAsync()).Select(r => r.RunId).Should().Equal(runId);
        (await ledger.FindSourceAsync(id, sha)).Should().Be(new SourceFingerprint(sha, "stock.parquet", 10, "raw/key", runId));
    }

    private async Task<Dictionary<string, AttributeValue>> RawItemAsync(string pk, string sk)
    {
        using var client = AwsIngest.CreateClients(servers.Options()).DynamoDb;
        return (await client.GetItemAsync(new GetItemRequest { TableName = AwsServers.TableName, Key = DynamoDbTable.Key(pk, sk), ConsistentRead = true })).Item;
    }

    private static async Task<JsonNode> PythonAsync(string script, string input)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = JobFolder };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import datetime, json, sys\nfrom ingest_core import ledger\n" + script);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("python3 could not be started: install Python 3 (the Glue job's tests need it too).");
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0, await stderr);
        return JsonNode.Parse(await stdout)!;
    }
}
