using System.Text.Json.Nodes;
using Ingest.Aws;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Tests.Protocol;
using Ingest.Cli.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure.Aws;
using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Storage;

namespace Ingest.Cli.Tests.Aws;

/// <summary>
/// <c>ingest run --engine glue</c> in process: the lake and ledger are the real S3 and DynamoDB servers (s3rver, dynalite),
/// Step Functions is the loopback server answering in the official shapes (every request checked against the
/// states-2016-11-23 model). What the Glue job would commit is put in the ledger by the test, under the run id the canned
/// execution output names; the CLI must find it there and print it.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class GlueRunTests : ModelCheckedServer, IDisposable
{
    private const string StateMachine = "arn:aws:states:eu-central-1:123456789012:stateMachine:ingest";
    private static readonly DatasetId Orders = DatasetId.Parse("sales.orders");
    private readonly CliHarness _cli;
    private readonly AwsTarget _target;
    private int _polls;

    public GlueRunTests(AwsServers servers)
        : base("states-2016-11-23")
    {
        (_cli, _target) = AwsTarget.Create(servers);
        _cli.Environment["INGEST_Aws__StepFunctionsServiceUrl"] = Server.Url;
        _cli.Environment["INGEST_Aws__StateMachineArn"] = StateMachine;
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task RunEngineGlue_UploadsStartsFollowsAndPrintsTheRunTheJobCommitted()
    {
        var ledger = await RegisterAsync();
        var committed = Run("20251125T194000Z-0a1b2c3d", RunStatus.Succeeded) with
        {
            RowsRead = 1200,
            RowsWritten = 1190,
            RowsRejected = 10,
            FilesWritten = ["curated/sales/orders/ordered_at_day=2024-05-01/part-1.parquet", "quarantine/sales/orders/rejects-1.parquet"],
            PartitionsWritten = ["ordered_at_day=2024-05-01/"],
        };
        await CommitAsync(ledger, committed);
        Answer("SUCCEEDED", output: $$"""{"results":[{"dataset":"sales.orders","runId":"{{committed.RunId}}","status":"succeeded"}],"anyFailed":false}""");
        var csv = Path.Combine(_cli.Root, "orders.csv");
        OrdersCsv.Write(csv, 50, withBadRows: false);

        var result = await _cli.RunAsync("run", "sales.orders", csv, "--engine", "glue");

        result.ExitCode.Should().Be(0, result.ToString());
        var start = Server.Received("StartExecution").Should().ContainSingle().Subject.Json;
        start["stateMachineArn"]!.GetValue<string>().Should().Be(StateMachine);
        JsonNode.DeepEquals(JsonNode.Parse(start["input"]!.GetValue<string>()), JsonNode.Parse("""{"datasets":["sales.orders"]}""")).Should().BeTrue();
        start["name"]!.GetValue<string>().Should().MatchRegex("^sales-orders-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$");
        Server.Received("DescribeExecution").Should().HaveCount(2, "running, then succeeded");
        result.Output.Should().Contain("Uploaded orders.csv").And.Contain($"s3://{_target.Buckets["raw"]}/_landing/sales/orders/orders.csv")
            .And.Contain("Started Step Functions execution sales-orders-").And.Contain("succeeded after 4:59")
            .And.Contain(committed.RunId).And.Contain("glue (Step Functions)").And.Contain("1,190").And.Contain("ordered_at_day=2024-05-01/");
        result.Errors.Should().BeEmpty("the Glue job publishes its own metrics; the CLI writes no EMF line for it");

        // The file waits in the landing folder, byte for byte, for the Glue job.
        var landed = await AwsIngest.CreateBackends(_target.Options).Lake.GetAsync(LakeZone.Raw, "_landing/sales/orders/orders.csv");
        landed!.Size.Should().Be(new FileInfo(csv).Length);
    }

    [Fact]
    public async Task RunEngineGlue_ExecutionFails_Exits1WithTheErrorCauseAndTheRunsErrorInOneLine()
    {
        var ledger = await RegisterAsync();
        var failed = Run("20251125T194010Z-deadbeef", RunStatus.Failed) with
        {
            StartedAt = DateTimeOffset.FromUnixTimeSeconds(1764100010),
            Error = "States.TaskFailed: orders.csv line 7, column \"amount\": rule range(amount) failed",
        };
        await CommitAsync(ledger, failed);
        Answer("FAILED", error: "Ingest.RunsFailed", cause: "At least one dataset's run failed; each failure was published to the failure topic with its reason.");

        var result = await _cli.RunAsync("run", "sales.orders", "--engine", "glue");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Errors.Should().StartWith("error: Step Functions execution run-1 FAILED: Ingest.RunsFailed: At least one dataset's run failed")
            .And.Contain($"; run {failed.RunId} failed: States.TaskFailed: orders.csv line 7");
        result.Errors.TrimEnd().Should().NotContain("\n");
    }

    [Fact]
    public async Task RunEngineGlue_DatasetBusy_Exits3()
    {
        await RegisterAsync();
        Answer("SUCCEEDED", output: """{"results":[{"dataset":"sales.orders","runId":"20251125T194000Z-00000000","status":"busy"}],"anyFailed":false}""");

        var result = await _cli.RunAsync("run", "sales.orders", "--engine", "glue");

        result.ExitCode.Should().Be(3, result.ToString());
        result.Errors.Should().StartWith("error: Dataset sales.orders is being ingested by another run");
    }

    [Fact]
    public async Task RunEngineGlue_CancelledWhileRunning_StopsFollowingButNotTheExecution()
    {
        await RegisterAsync();
        using var cancellation = new CancellationTokenSource();
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartExecution"] = _ => CannedResponse.Ok(Canned.StartExecution),
            ["DescribeExecution"] = _ =>
            {
                // Ctrl+C while the Glue job is still running.
                if (Interlocked.Increment(ref _polls) == 2)
                {
                    cancellation.Cancel();
                }

                return CannedResponse.Ok(Canned.DescribeExecution("RUNNING"));
            },
        });

        var result = await _cli.RunAsync(cancellation.Token, "run", "sales.orders", "--engine", "glue");

        result.ExitCode.Should().Be(130, result.ToString());
        result.Errors.Should().Contain("the execution goes on: arn:aws:states:eu-central-1:123456789012:execution:ingest:run-1");
        Server.Received("StopExecution").Should().BeEmpty("stopping it from outside would leave the dataset's lease taken");
    }

    [Fact]
    public async Task RunEngineGlue_DatasetOfTheLocalEngine_Exits2BeforeUploadingOrStarting()
    {
        await RegisterAsync(TestDefinitions.Orders);
        var csv = _cli.WriteFile("orders.csv", "order_id,order_date,country,quantity,amount\n1,2024-05-01,DE,1,9.99\n");

        var result = await _cli.RunAsync("run", "sales.orders", csv, "--engine", "glue");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: Dataset sales.orders v1 runs on engine.kind local");
        Server.Requests.Should().BeEmpty("the state machine would refuse it");
        (await AwsIngest.CreateBackends(_target.Options).Lake.GetAsync(LakeZone.Raw, "_landing/sales/orders/orders.csv")).Should().BeNull();
    }

    [Fact]
    public async Task RunEngineGlue_NoStateMachine_Exits2NamingTheSetting_BeforeAnyRequest()
    {
        _cli.Environment.Remove("INGEST_Aws__StateMachineArn");

        var result = await _cli.RunAsync("run", "sales.orders", "--engine", "glue");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: --engine glue needs the ingest state machine: set Aws:StateMachineArn");
        Server.Requests.Should().BeEmpty();
    }

    private async Task<IRunLedger> RegisterAsync(string? definition = null)
    {
        (await _cli.RunAsync("init", "--create-resources")).ExitCode.Should().Be(0);
        var added = await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", definition ?? TestDefinitions.OrdersOnGlue));
        added.ExitCode.Should().Be(0, added.ToString());
        return AwsIngest.CreateBackends(_target.Options).Ledger;
    }

    private static RunRecord Run(string runId, RunStatus status) => new()
    {
        RunId = runId,
        Dataset = Orders,
        DefinitionVersion = 1,
        Status = status,
        StartedAt = DateTimeOffset.FromUnixTimeSeconds(1764100005),
        EndedAt = DateTimeOffset.FromUnixTimeSeconds(1764100290),
    };

    /// <summary>What the Glue job does at its end: the run recorded as running, then completed.</summary>
    private static async Task CommitAsync(IRunLedger ledger, RunRecord run)
    {
        await ledger.StartRunAsync(run with { Status = RunStatus.Running, EndedAt = null, Error = null });
        await ledger.CompleteRunAsync(run);
    }

    private void Answer(string final, string? output = null, string? error = null, string? cause = null)
        => Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartExecution"] = _ => CannedResponse.Ok(Canned.StartExecution),
            ["DescribeExecution"] = _ => CannedResponse.Ok(Canned.DescribeExecution(Interlocked.Increment(ref _polls) < 2 ? "RUNNING" : final, output, error, cause)),
        });
}
