using System.Text.Json.Nodes;
using Ingest.Aws.Athena;
using Ingest.Aws.Glue;
using Ingest.Aws.Protocol;
using Ingest.Aws.StepFunctions;

namespace Ingest.Aws.Tests.Protocol;

/// <summary>
/// Every operation the clients call, run against the loopback server, with each request checked against the official API
/// model (operation, members, JSON types, required members) and each canned answer checked against the output shape.
/// </summary>
public sealed class ApiModelContractTests : IAsyncLifetime
{
    private readonly LoopbackAwsServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static GlueTableInput SampleTable { get; } = new(
        "orders",
        "Orders",
        "EXTERNAL_TABLE",
        new Dictionary<string, string> { ["classification"] = "parquet" },
        new GlueStorageDescriptor(
            [new GlueColumn("order_id", "bigint", "The id"), new GlueColumn("amount", "decimal(18,2)")],
            "s3://lake/curated/sales/orders/",
            "in",
            "out",
            new GlueSerDeInfo("serde", new Dictionary<string, string> { ["serialization.format"] = "1" })),
        [new GlueColumn("ordered_at_day", "date")]);

    [Fact]
    public async Task Glue_EveryOperation_ConformsToModel()
    {
        var model = AwsApiModel.Load("glue-2017-03-31");
        var answers = new Dictionary<string, string>
        {
            ["GetDatabase"] = Canned.GetDatabase,
            ["CreateDatabase"] = "{}",
            ["GetTable"] = Canned.GetTable,
            ["CreateTable"] = "{}",
            ["UpdateTable"] = "{}",
            ["BatchCreatePartition"] = Canned.BatchCreatePartitionSomeExist,
            ["StartJobRun"] = Canned.StartJobRun,
            ["GetJobRun"] = Canned.GetJobRun("RUNNING"),
        };
        Serve(model, answers);
        var glue = new GlueClient(_server.Client(AwsJsonService.Glue));

        (await glue.GetDatabaseAsync("sales"))!.Description.Should().Be("Sales domain");
        await glue.CreateDatabaseAsync(new GlueDatabase("sales", "Sales domain"));
        var table = (await glue.GetTableAsync("sales", "orders"))!;
        await glue.CreateTableAsync("sales", SampleTable);
        await glue.UpdateTableAsync("sales", SampleTable, table.VersionId);
        var errors = await glue.BatchCreatePartitionAsync("sales", "orders", [new GluePartitionInput(["2024-05-01"], SampleTable.StorageDescriptor with { Location = "s3://lake/curated/sales/orders/ordered_at_day=2024-05-01/" })]);
        var runId = await glue.StartJobRunAsync(new GlueJobRunRequest("ingest-glue-job", new Dictionary<string, string> { ["--dataset"] = "sales.orders" }) { WorkerType = "G.1X", NumberOfWorkers = 2, TimeoutMinutes = 60 });
        var run = await glue.GetJobRunAsync("ingest-glue-job", runId);

        table.VersionId.Should().Be("7");
        table.Table.Should().BeEquivalentTo(SampleTable, o => o.Excluding(t => t.StorageDescriptor.InputFormat).Excluding(t => t.StorageDescriptor.OutputFormat).Excluding(t => t.StorageDescriptor.SerDeInfo));
        errors.Should().ContainSingle().Which.ErrorCode.Should().Be("AlreadyExistsException");
        run.Should().BeEquivalentTo(new { Id = "jr_0123456789abcdef", State = "RUNNING", ExecutionTimeSeconds = 120L, StartedOn = DateTimeOffset.FromUnixTimeMilliseconds(1764100000250) });
        AssertConforms(model, answers.Keys);
    }

    [Fact]
    public async Task Athena_EveryOperation_ConformsToModel()
    {
        var model = AwsApiModel.Load("athena-2017-05-18");
        var answers = new Dictionary<string, string>
        {
            ["StartQueryExecution"] = Canned.StartQueryExecution,
            ["GetQueryExecution"] = Canned.GetQueryExecution("SUCCEEDED"),
            ["GetQueryResults"] = Canned.GetQueryResultsPage1,
            ["StopQueryExecution"] = "{}",
        };
        Serve(model, answers);
        var athena = new AthenaClient(_server.Client(AwsJsonService.Athena));

        var id = await athena.StartQueryExecutionAsync(new AthenaQueryRequest("SELECT * FROM sales.orders WHERE currency = ?")
        {
            WorkGroup = "primary",
            OutputLocation = "s3://results/",
            Database = "sales",
            ExecutionParameters = ["'EUR'"],
            ClientRequestToken = new string('a', 32),
        });
        var execution = await athena.GetQueryExecutionAsync(id);
        var page = await athena.GetQueryResultsAsync(id, "token", 1000);
        await athena.StopQueryExecutionAsync(id);

        execution.Should().BeEquivalentTo(new { State = "SUCCEEDED", DataScannedInBytes = 10485760L, EngineExecutionTimeInMillis = 1234L });
        page.Columns.Select(c => c.Type).Should().Equal("varchar", "decimal", "date", "bigint", "boolean", "timestamp");
        page.Rows.Should().HaveCount(2);
        page.NextToken.Should().Be("page-2");
        AssertConforms(model, answers.Keys);
    }

    [Fact]
    public async Task StepFunctions_EveryOperation_ConformsToModel()
    {
        var model = AwsApiModel.Load("states-2016-11-23");
        var answers = new Dictionary<string, string>
        {
            ["StartExecution"] = Canned.StartExecution,
            ["DescribeExecution"] = Canned.DescribeExecution("FAILED"),
            ["StopExecution"] = """{"stopDate":1764100400}""",
        };
        Serve(model, answers);
        var states = new StepFunctionsClient(_server.Client(AwsJsonService.StepFunctions));

        var arn = await states.StartExecutionAsync("arn:aws:states:eu-central-1:123456789012:stateMachine:ingest", """{"datasets":["sales.orders"]}""", "run-1");
        var execution = await states.DescribeExecutionAsync(arn);
        await states.StopExecutionAsync(arn, "Ingest.Stopped", "by the operator");

        execution.Should().BeEquivalentTo(new { Status = "FAILED", Error = "Ingest.RunsFailed", Cause = "one failed", Name = "run-1" });
        AssertConforms(model, answers.Keys);
    }

    [Fact]
    public void CheckRequest_UnknownMemberWrongTypeMissingRequired_AreReported()
    {
        var model = AwsApiModel.Load("glue-2017-03-31");

        var problems = model.CheckInput("StartJobRun", JsonNode.Parse("""{"JobNam":"x","NumberOfWorkers":"2","Arguments":{"--a":1}}"""));

        problems.Should().HaveCount(4);
        problems.Should().Contain(p => p.Contains("JobNam is not a member"));
        problems.Should().Contain(p => p.Contains("NumberOfWorkers should be a number"));
        problems.Should().Contain(p => p.Contains("Arguments[--a] should be a string"));
        problems.Should().Contain(p => p.Contains("JobName is required"));
        model.CheckInput("StartJobRuns", new JsonObject()).Should().ContainSingle().Which.Should().Contain("no operation");
    }

    private void Serve(AwsApiModel model, Dictionary<string, string> answers)
    {
        foreach (var (operation, body) in answers)
        {
            model.CheckOutput(operation, JsonNode.Parse(body)).Should().BeEmpty($"the canned answer to {operation} must have the official shape");
        }

        _server.Respond(answers.ToDictionary(a => a.Key, a => (Func<RecordedRequest, CannedResponse>)(_ => CannedResponse.Ok(a.Value))));
    }

    private void AssertConforms(AwsApiModel model, IEnumerable<string> operations)
    {
        _server.Requests.Select(r => r.Operation).Should().BeEquivalentTo(operations, "every operation of the client is exercised once");
        foreach (var request in _server.Requests)
        {
            model.CheckRequest(request).Should().BeEmpty($"{request.Operation} sent {request.Body}");
        }
    }
}
