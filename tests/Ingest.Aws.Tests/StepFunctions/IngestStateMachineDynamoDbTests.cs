using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ingest.Aws.StepFunctions;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Aws.Tests.StepFunctions;

/// <summary>
/// The generated state machine's DynamoDB task states, taken from the generated definition and sent to dynalite as the
/// service integration would send them, against items the C# ledger wrote and read back by the C# ledger: the lease,
/// the RUN# check and the failed-run record are the same items on both sides.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class IngestStateMachineDynamoDbTests(AwsServers servers)
{
    private const string ExecutionArn = "arn:aws:states:eu-central-1:123456789012:execution:ingest:nightly";
    private const string EnteredTime = "2026-11-25T02:00:00.123Z";
    private const string RunId = "20261125T020000Z-5ea5ea5e";

    private static readonly JsonObject Machine = JsonNode.Parse(IngestStateMachine.Generate(new IngestStateMachineOptions
    {
        TableName = AwsServers.TableName,
        GlueJobName = "ingest-glue-job",
        FailureTopicArn = "arn:aws:sns:eu-central-1:123456789012:ingest-failures",
        MaxConcurrency = 4,
    }))!.AsObject();

    private static JsonObject DatasetStates => Machine["States"]!["IngestDatasets"]!["ItemProcessor"]!["States"]!.AsObject();

    [Fact]
    public async Task AcquireLease_LiveLeaseOfTheCSharpEngine_IsRefused_ExpiredOne_IsTakenOver_AndTheEngineSeesTheExecution()
    {
        var live = IngestTestData.NewDatasetId();
        var expired = IngestTestData.NewDatasetId();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero));
        var engine = AwsIngest.CreateBackends(servers.Options(), clock).Ledger;
        (await engine.TryAcquireLeaseAsync(expired, new LeaseOwner("20261124T000000Z-00000001", "agent-1", 7), TimeSpan.FromMinutes(5))).Acquired.Should().BeTrue();
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero));
        (await engine.TryAcquireLeaseAsync(live, new LeaseOwner("20261125T010000Z-00000002", "agent-1", 7), TimeSpan.FromHours(2))).Acquired.Should().BeTrue();
        using var client = Client();

        var refused = () => client.PutItemAsync(PutItem(Resolve("AcquireLease", live)));
        await refused.Should().ThrowAsync<ConditionalCheckFailedException>("the engine's lease runs until 03:00, the execution entered at 02:00");
        await client.PutItemAsync(PutItem(Resolve("AcquireLease", expired)));

        clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        var seen = await engine.TryAcquireLeaseAsync(expired, new LeaseOwner("20261125T030000Z-00000003", "agent-1", 7), TimeSpan.FromMinutes(5));
        seen.Acquired.Should().BeFalse("the state machine's lease is open-ended until the Glue job adopts it");
        seen.Current.Owner.Should().Be(new LeaseOwner(RunId, ExecutionArn, 0));
        (await engine.TryAcquireLeaseAsync(live, new LeaseOwner("20261125T030000Z-00000004", "agent-1", 7), TimeSpan.FromMinutes(5))).Acquired
            .Should().BeTrue("the refused put left the engine's lease as it was, to expire at 03:00");
    }

    [Fact]
    public async Task LoadSettings_OfADefinitionOver400KB_ReadsOnlyTheVersionAndTheRunSettings()
    {
        // A Step Functions state carries at most 256 KB: the state machine must not load the definition itself.
        var id = IngestTestData.NewDatasetId();
        var columns = Enumerable.Range(0, 1500)
            .Select(i => IngestTestData.Column($"c{i:D4}", ColumnType.String) with { Description = "Column of the wide extract: " + new string('x', 260) })
            .ToArray();
        var definition = IngestTestData.Definition(id, columns) with
        {
            Engine = new EngineSettings { Kind = EngineKind.Glue, Glue = new GlueSettings { WorkerType = "G.2X", NumberOfWorkers = 10, TimeoutMinutes = 120 } },
        };
        await AwsIngest.CreateBackends(servers.Options()).Registry.RegisterAsync(definition);
        using var client = Client();

        var p = Evaluate(DatasetStates["LoadSettings"]!["Parameters"]!, new(StringComparer.Ordinal) { ["$.pk"] = "DATASET#" + id })!.AsObject();
        var response = await client.GetItemAsync(new GetItemRequest
        {
            TableName = p["TableName"]!.GetValue<string>(),
            Key = LowLevelJson.ToAttributes(p["Key"]),
            ConsistentRead = p["ConsistentRead"]!.GetValue<bool>(),
            ProjectionExpression = p["ProjectionExpression"]!.GetValue<string>(),
            ExpressionAttributeNames = p["ExpressionAttributeNames"]!.AsObject().ToDictionary(n => n.Key, n => n.Value!.GetValue<string>()),
        });

        response.Item.Keys.Should().BeEquivalentTo(["version", "runSettings"]);
        LowLevelJson.FromAttributes(response.Item).ToJsonString().Length.Should().BeLessThan(1024);
        var settings = response.Item["runSettings"].M;
        (settings["glue"].BOOL, settings["workerType"].S, settings["numberOfWorkers"].N, settings["timeoutMinutes"].N).Should().Be((true, "G.2X", "10", "120"));
        (settings["database"].S, settings["table"].S).Should().Be((definition.CatalogDatabase, definition.CatalogTable));
    }

    [Fact]
    public async Task ReleaseLease_And_Cleanup_DeleteOnlyTheLeaseThatNamesThemselves()
    {
        var dataset = IngestTestData.NewDatasetId();
        var engine = AwsIngest.CreateBackends(servers.Options()).Ledger;
        using var client = Client();
        (await engine.TryAcquireLeaseAsync(dataset, new LeaseOwner("20261125T010000Z-00000001", "agent-1", 7), TimeSpan.FromMinutes(5))).Acquired.Should().BeTrue();

        var release = () => client.DeleteItemAsync(DeleteItem(Resolve("ReleaseLease", dataset)));
        await release.Should().ThrowAsync<ConditionalCheckFailedException>("another run's lease is never released");
        var cleanup = () => client.DeleteItemAsync(DeleteItem(ResolveCleanup(dataset)));
        await cleanup.Should().ThrowAsync<ConditionalCheckFailedException>();

        await engine.ReleaseLeaseAsync(dataset, "20261125T010000Z-00000001");
        await client.PutItemAsync(PutItem(Resolve("AcquireLease", dataset)));
        await client.DeleteItemAsync(DeleteItem(ResolveCleanup(dataset)));
        (await engine.TryAcquireLeaseAsync(dataset, new LeaseOwner("20261125T040000Z-00000004", "agent-1", 7), TimeSpan.FromMinutes(5))).Acquired
            .Should().BeTrue("cleanup released the lease of the abandoned execution");
        await engine.ReleaseLeaseAsync(dataset, "20261125T040000Z-00000004");

        await client.PutItemAsync(PutItem(Resolve("AcquireLease", dataset)));
        await client.DeleteItemAsync(DeleteItem(Resolve("ReleaseLease", dataset)));
        (await engine.TryAcquireLeaseAsync(dataset, new LeaseOwner("20261125T050000Z-00000005", "agent-1", 7), TimeSpan.FromMinutes(5))).Acquired.Should().BeTrue();
    }

    [Fact]
    public async Task RecordSuccess_AcceptsOnlyARunTheLedgerCommitted()
    {
        var dataset = IngestTestData.NewDatasetId();
        var engine = AwsIngest.CreateBackends(servers.Options()).Ledger;
        using var client = Client();
        var run = new RunRecord { RunId = RunId, Dataset = dataset, DefinitionVersion = 2, Status = RunStatus.Running, StartedAt = DateTimeOffset.Parse(EnteredTime, System.Globalization.CultureInfo.InvariantCulture) };
        await engine.StartRunAsync(run);

        var running = () => client.UpdateItemAsync(UpdateItem(Resolve("RecordSuccess", dataset)));
        await running.Should().ThrowAsync<ConditionalCheckFailedException>("a run still running was not committed");

        await engine.CompleteRunAsync(run with { Status = RunStatus.Succeeded, EndedAt = run.StartedAt.AddMinutes(5), PartitionsWritten = ["d=2026-11-25/"] });
        var response = await client.UpdateItemAsync(UpdateItem(Resolve("RecordSuccess", dataset)));

        response.Attributes["executionArn"].S.Should().Be(ExecutionArn);
        JsonNode.Parse(response.Attributes["body"].S)!["partitionsWritten"]![0]!.GetValue<string>().Should().Be("d=2026-11-25/", "the state machine reads the partitions from the body");
        (await engine.GetRunAsync(dataset, RunId))!.Status.Should().Be(RunStatus.Succeeded, "linking the execution changes nothing the ledger reads");
    }

    [Fact]
    public async Task RecordFailure_WritesARunRecordTheLedgerReads_AndNeverOverwritesACommittedRun()
    {
        var dataset = IngestTestData.NewDatasetId();
        var engine = AwsIngest.CreateBackends(servers.Options()).Ledger;
        using var client = Client();

        // The Glue job never started: no RUN# item yet.
        await client.UpdateItemAsync(UpdateItem(Resolve("RecordFailure", dataset)));
        var failed = (await engine.GetRunAsync(dataset, RunId))!;
        failed.Status.Should().Be(RunStatus.Failed);
        failed.DefinitionVersion.Should().Be(3);
        failed.StartedAt.Should().Be(new DateTimeOffset(2026, 11, 25, 2, 0, 0, 123, TimeSpan.Zero));
        failed.Error.Should().Be("Glue.ConcurrentRunsExceededException: too many runs");
        (await engine.ListRunsAsync(dataset).ToListAsync()).Select(r => r.RunId).Should().Equal(RunId);

        var other = IngestTestData.NewDatasetId();
        var run = new RunRecord { RunId = RunId, Dataset = other, DefinitionVersion = 3, Status = RunStatus.Running, StartedAt = DateTimeOffset.UnixEpoch };
        await engine.StartRunAsync(run);
        await engine.CompleteRunAsync(run with { Status = RunStatus.Succeeded });
        var overwrite = () => client.UpdateItemAsync(UpdateItem(Resolve("RecordFailure", other)));
        await overwrite.Should().ThrowAsync<ConditionalCheckFailedException>();
        (await engine.GetRunAsync(other, RunId))!.Status.Should().Be(RunStatus.Succeeded);
    }

    private IAmazonDynamoDB Client() => AwsIngest.CreateClients(servers.Options()).DynamoDb;

    /// <summary>The Parameters of a per-dataset Task state with its paths and intrinsic functions evaluated as Step Functions would.</summary>
    private static JsonObject Resolve(string state, DatasetId dataset)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["$.pk"] = "DATASET#" + dataset,
            ["$.runId"] = RunId,
            ["$.dataset"] = dataset.ToString(),
            ["$.executionArn"] = ExecutionArn,
            ["$.startedAt"] = EnteredTime,
            ["$$.State.EnteredTime"] = EnteredTime,
            ["$.glue.jobRunId"] = "jr_1",
            ["States.Format('RUN#{}', $.runId)"] = "RUN#" + RunId,
            ["States.StringToJson($.version)"] = 3,
            ["States.Format('{}: {}', $.error.Error, $.error.Cause)"] = "Glue.ConcurrentRunsExceededException: too many runs",
        };
        values["States.JsonToString($.failure)"] = Evaluate(DatasetStates["DescribeFailure"]!["Parameters"]!, values)!.ToJsonString();
        return Evaluate(DatasetStates[state]!["Parameters"]!, values)!.AsObject();
    }

    private static JsonObject ResolveCleanup(DatasetId dataset)
    {
        var state = Machine["States"]!["ReleaseAbandonedLeases"]!["ItemProcessor"]!["States"]!["ReleaseAbandonedLease"]!;
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["States.Format('DATASET#{}', $.dataset)"] = "DATASET#" + dataset,
            ["$.executionArn"] = ExecutionArn,
        };
        return Evaluate(state["Parameters"]!, values)!.AsObject();
    }

    private static JsonNode? Evaluate(JsonNode template, Dictionary<string, JsonNode?> values)
    {
        if (template is not JsonObject obj)
        {
            return template.DeepClone();
        }

        var result = new JsonObject();
        foreach (var (name, value) in obj)
        {
            if (name.EndsWith(".$", StringComparison.Ordinal))
            {
                var expression = value!.GetValue<string>();
                result[name[..^2]] = values.TryGetValue(expression, out var resolved)
                    ? resolved?.DeepClone()
                    : throw new InvalidOperationException($"The test has no value for {expression} ({name}).");
            }
            else
            {
                result[name] = value is null ? null : Evaluate(value, values);
            }
        }

        return result;
    }

    private static PutItemRequest PutItem(JsonObject p) => new()
    {
        TableName = p["TableName"]!.GetValue<string>(),
        Item = LowLevelJson.ToAttributes(p["Item"]),
        ConditionExpression = p["ConditionExpression"]?.GetValue<string>(),
        ExpressionAttributeValues = p["ExpressionAttributeValues"] is null ? null : LowLevelJson.ToAttributes(p["ExpressionAttributeValues"]),
    };

    private static DeleteItemRequest DeleteItem(JsonObject p) => new()
    {
        TableName = p["TableName"]!.GetValue<string>(),
        Key = LowLevelJson.ToAttributes(p["Key"]),
        ConditionExpression = p["ConditionExpression"]?.GetValue<string>(),
        ExpressionAttributeValues = LowLevelJson.ToAttributes(p["ExpressionAttributeValues"]),
    };

    private static UpdateItemRequest UpdateItem(JsonObject p) => new()
    {
        TableName = p["TableName"]!.GetValue<string>(),
        Key = LowLevelJson.ToAttributes(p["Key"]),
        UpdateExpression = p["UpdateExpression"]!.GetValue<string>(),
        ConditionExpression = p["ConditionExpression"]?.GetValue<string>(),
        ExpressionAttributeNames = p["ExpressionAttributeNames"]?.AsObject().ToDictionary(n => n.Key, n => n.Value!.GetValue<string>()),
        ExpressionAttributeValues = LowLevelJson.ToAttributes(p["ExpressionAttributeValues"]),
        ReturnValues = p["ReturnValues"] is { } r ? new ReturnValue(r.GetValue<string>()) : null,
    };
}
