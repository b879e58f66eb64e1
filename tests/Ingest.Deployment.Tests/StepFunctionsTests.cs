using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Aws.DynamoDb;
using Ingest.Aws.StepFunctions;
using Ingest.Definitions;
using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>
/// The ingest state machine as Terraform deploys it (the committed, generated terraform/step_functions/ingest.asl.json,
/// rendered as templatefile renders it): asl-validator accepts it, and aws-local-stepfunctions executes it with every Task state
/// replaced by a local handler (tests/deployment/run-asl.cjs: an in-memory metadata table that evaluates the
/// definition's condition and update expressions, a stand-in Glue job, a recording SNS topic).
/// </summary>
public sealed class StepFunctionsTests
{
    private const string ExecutionArn = "arn:aws:states:eu-west-1:123456789012:execution:aws-challenge-dev-ingest:nightly-1";
    private const string EnteredTime = "2026-11-25T02:00:00.123Z";
    private const string Dataset = "inventory.stock_levels";
    private const string Pk = "DATASET#" + Dataset;

    [Fact]
    public void Asl_validator_accepts_the_rendered_definition()
    {
        NodeTools.EnsureAvailable("asl-validator");
        var path = StateMachineDefinition.RenderToFile();
        try
        {
            var result = NodeTools.Bin("asl-validator", "dist/bin/asl-validator.js", "--json-path", path);

            result.ExitCode.Should().Be(0, result.ToString());
            result.StdOut.Should().Contain("is valid");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_successful_Glue_run_is_checked_in_the_ledger_and_the_lease_is_released()
    {
        var report = Execute(Scenario("succeed", Registered("inventory.stock_levels.json")));

        report.Status.Should().Be("SUCCEEDED", report.Raw);
        report.Calls.Should().Equal("AcquireLease", "LoadSettings", "RunGlueJob", "RecordSuccess", "ReleaseLease");
        report.Published.Should().BeEmpty();
        report.Item(Pk, "LEASE").Should().BeNull("the lease is released");

        var result = report.Output!["results"]![0]!;
        result["status"]!.GetValue<string>().Should().Be("succeeded");
        var runId = result["runId"]!.GetValue<string>();
        runId.Should().MatchRegex(@"^20261125T020000Z-[0-9a-f]{8}$", "run ids have the C# engine's shape");

        var run = report.Item(Pk, "RUN#" + runId)!;
        run["status"]!["S"]!.GetValue<string>().Should().Be("succeeded");
        run["executionArn"]!["S"]!.GetValue<string>().Should().Be(ExecutionArn);
        run["glueJobRunId"]!["S"]!.GetValue<string>().Should().Be("jr_0001");
    }

    [Fact]
    public void The_Glue_job_gets_the_dataset_run_and_the_worker_settings_of_the_registered_definition()
    {
        var report = Execute(Scenario("succeed", Registered("inventory.stock_levels.json")));

        var start = report.GlueCalls.Should().ContainSingle().Subject;
        start["JobName"]!.GetValue<string>().Should().Be(StateMachineDefinition.GlueJobName);
        start["WorkerType"]!.GetValue<string>().Should().Be("G.2X");
        start["NumberOfWorkers"]!.GetValue<int>().Should().Be(10);
        start["Timeout"]!.GetValue<int>().Should().Be(120);
        var arguments = start["Arguments"]!;
        arguments["--dataset"]!.GetValue<string>().Should().Be(Dataset);
        arguments["--definition_version"]!.GetValue<string>().Should().Be("3");
        arguments["--run_id"]!.GetValue<string>().Should().MatchRegex(@"^20261125T020000Z-[0-9a-f]{8}$");
        arguments["--started_at"]!.GetValue<string>().Should().Be(EnteredTime);
    }

    [Fact]
    public void A_failed_Glue_run_is_recorded_published_and_the_lease_is_released()
    {
        var report = Execute(Scenario("fail", Registered("inventory.stock_levels.json")));

        report.Status.Should().Be("FAILED", report.Raw);
        report.Raw.Should().Contain("Ingest.RunsFailed");
        report.Calls.Should().Equal("AcquireLease", "LoadSettings", "RunGlueJob", "RecordFailure", "PublishFailure", "ReleaseLease");
        report.Item(Pk, "LEASE").Should().BeNull("the lease is released on the failure path too");

        var message = report.Published.Should().ContainSingle().Subject;
        message["TopicArn"]!.GetValue<string>().Should().Be(StateMachineDefinition.TopicArn);
        message["Subject"]!.GetValue<string>().Should().Be("Ingest run failed: " + Dataset);
        message["MessageAttributes"]!["dataset"]!["StringValue"]!.GetValue<string>().Should().Be(Dataset);
        message["Message"]!.GetValue<string>().Should().Contain("AnalysisException").And.Contain("\"status\":\"failed\"");

        var runId = message["MessageAttributes"]!["runId"]!["StringValue"]!.GetValue<string>();
        var run = report.Item(Pk, "RUN#" + runId)!;
        run["status"]!["S"]!.GetValue<string>().Should().Be("failed");
        run["body"]!["S"]!.GetValue<string>().Should().Contain("AnalysisException").And.Contain("\"definitionVersion\":3");
    }

    [Fact]
    public void A_Glue_run_that_ends_without_committing_counts_as_failed()
    {
        var report = Execute(Scenario("no-commit", Registered("inventory.stock_levels.json")));

        report.Status.Should().Be("FAILED", report.Raw);
        report.Calls.Should().Equal("AcquireLease", "LoadSettings", "RunGlueJob", "RecordSuccess", "RecordFailure", "PublishFailure", "ReleaseLease");
        report.Published.Should().ContainSingle().Which["Message"]!.GetValue<string>().Should().Contain("without committing");
        report.Item(Pk, "LEASE").Should().BeNull();
    }

    [Fact]
    public void Glue_concurrency_errors_are_retried()
    {
        var report = Execute(Scenario("throttle-then-succeed", Registered("inventory.stock_levels.json")));

        report.Status.Should().Be("SUCCEEDED", report.Raw);
        report.GlueAttempts.Should().Be(2);
        report.Item(Pk, "LEASE").Should().BeNull();
    }

    [Fact]
    public void A_live_lease_of_another_run_leaves_the_dataset_alone()
    {
        var lease = Lease("20261125T013000Z-0badf00d", "2026-11-25T02:30:00.000Z", "arn:aws:states:eu-west-1:123456789012:execution:x:other");
        var report = Execute(Scenario("succeed", Registered("inventory.stock_levels.json"), lease));

        report.Status.Should().Be("SUCCEEDED", report.Raw);
        report.Calls.Should().Equal("AcquireLease");
        report.Output!["results"]![0]!["status"]!.GetValue<string>().Should().Be("busy");
        report.Item(Pk, "LEASE")!["runId"]!["S"]!.GetValue<string>().Should().Be("20261125T013000Z-0badf00d", "another run's lease is not touched");
    }

    [Fact]
    public void An_expired_lease_is_taken_over()
    {
        var lease = Lease("20261124T013000Z-0badf00d", "2026-11-24T01:40:00.000Z", "agent-host");
        var report = Execute(Scenario("succeed", Registered("inventory.stock_levels.json"), lease));

        report.Status.Should().Be("SUCCEEDED", report.Raw);
        report.Calls.First().Should().Be("AcquireLease");
        report.GlueAttempts.Should().Be(1);
        report.Item(Pk, "LEASE").Should().BeNull();
    }

    [Fact]
    public void A_dataset_without_a_definition_or_not_on_Glue_fails_with_a_reason_and_releases_its_lease()
    {
        var unregistered = Execute(Scenario("succeed"));
        unregistered.Status.Should().Be("FAILED");
        unregistered.Calls.Should().Equal("AcquireLease", "LoadSettings", "RecordFailure", "PublishFailure", "ReleaseLease");
        unregistered.Published.Single()["Message"]!.GetValue<string>().Should().Contain("no registered definition");

        // sales.orders runs on the in-process engine (no engine section: the default, local).
        var local = Execute(Scenario("succeed", Registered("sales.orders.json", "DATASET#" + Dataset)));
        local.Status.Should().Be("FAILED");
        local.GlueAttempts.Should().Be(0);
        local.Published.Single()["Message"]!.GetValue<string>().Should().Contain("engine.kind other than glue");
        local.Item(Pk, "LEASE").Should().BeNull();
    }

    [Fact]
    public void The_partitions_the_job_wrote_are_registered_with_the_tables_storage_descriptor()
    {
        var scenario = Scenario("succeed", Registered("inventory.stock_levels.json"));
        scenario["partitions"] = new JsonArray("ingest_date=2026-11-25/warehouse_id=W1/", "ingest_date=2026-11-25/warehouse_id=W2/");
        scenario["glueTables"] = new JsonObject
        {
            ["inventory.stock_levels"] = new JsonObject
            {
                ["Name"] = "stock_levels",
                ["DatabaseName"] = "inventory",
                ["PartitionKeys"] = new JsonArray(new JsonObject { ["Name"] = "ingest_date", ["Type"] = "date" }, new JsonObject { ["Name"] = "warehouse_id", ["Type"] = "string" }),
                ["StorageDescriptor"] = new JsonObject
                {
                    ["Columns"] = new JsonArray(new JsonObject { ["Name"] = "sku", ["Type"] = "string" }),
                    ["Location"] = "s3://lake-curated/inventory/stock_levels/",
                    ["InputFormat"] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    ["OutputFormat"] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    ["SerdeInfo"] = new JsonObject { ["SerializationLibrary"] = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
                },
            },
        };

        var report = Execute(scenario);

        report.Status.Should().Be("SUCCEEDED", report.Raw);
        report.Calls.Should().Equal("AcquireLease", "LoadSettings", "RunGlueJob", "RecordSuccess", "GetTable", "CreatePartitions", "ReleaseLease");
        var batch = JsonNode.Parse(report.Raw)!["partitionBatches"]!.AsArray().Should().ContainSingle().Subject!;
        batch["DatabaseName"]!.GetValue<string>().Should().Be("inventory");
        batch["TableName"]!.GetValue<string>().Should().Be("stock_levels");
        var inputs = batch["PartitionInputList"]!.AsArray();
        inputs.Select(i => string.Join('|', i!["Values"]!.AsArray().Select(v => v!.GetValue<string>()))).Should().Equal("2026-11-25|W1", "2026-11-25|W2");
        inputs[1]!["StorageDescriptor"]!["Location"]!.GetValue<string>().Should().Be("s3://lake-curated/inventory/stock_levels/ingest_date=2026-11-25/warehouse_id=W2/");
    }

    [Fact]
    public void A_Map_over_three_datasets_runs_each_and_fails_the_execution_for_the_ones_that_failed()
    {
        var scenario = Scenario("succeed", Registered("inventory.stock_levels.json"), Registered("sales.orders.json", "DATASET#sales.orders"));
        scenario["input"] = new JsonObject { ["datasets"] = new JsonArray(Dataset, "sales.orders", "sales.unknown") };

        var report = Execute(scenario);

        report.Status.Should().Be("FAILED", report.Raw);
        report.Raw.Should().Contain("Ingest.RunsFailed");
        report.GlueCalls.Should().ContainSingle().Which["Arguments"]!["--dataset"]!.GetValue<string>().Should().Be(Dataset);
        report.Published.Select(p => p["MessageAttributes"]!["dataset"]!["StringValue"]!.GetValue<string>()).Should().BeEquivalentTo("sales.orders", "sales.unknown");
        report.Table.Where(i => i["sk"]!["S"]!.GetValue<string>() == "LEASE").Should().BeEmpty("every path releases its lease");
        report.Table.Where(i => i["sk"]!["S"]!.GetValue<string>().StartsWith("RUN#", StringComparison.Ordinal))
            .Select(i => $"{i["pk"]!["S"]}:{i["status"]!["S"]}")
            .Should().BeEquivalentTo($"{Pk}:succeeded", "DATASET#sales.orders:failed", "DATASET#sales.unknown:failed");
    }

    [Fact]
    public void Cleanup_mode_releases_only_the_leases_of_the_abandoned_execution()
    {
        const string abandoned = "arn:aws:states:eu-west-1:123456789012:execution:aws-challenge-dev-ingest:aborted-7";
        var scenario = Scenario(
            "succeed",
            Lease("20261125T010000Z-00000001", "9999-12-31T23:59:59.999Z", abandoned),
            Lease("20261125T010000Z-00000002", "9999-12-31T23:59:59.999Z", "arn:other", "DATASET#sales.orders"));
        scenario["input"] = new JsonObject
        {
            ["cleanup"] = new JsonObject
            {
                ["executionArn"] = abandoned,
                ["input"] = JsonSerializer.Serialize(new { datasets = new[] { Dataset, "sales.orders" } }),
            },
        };

        var report = Execute(scenario);

        report.Status.Should().Be("SUCCEEDED", report.Raw);
        report.Item(Pk, "LEASE").Should().BeNull();
        report.Item("DATASET#sales.orders", "LEASE").Should().NotBeNull("that lease belongs to another execution");
    }

    [Fact]
    public void Cleanup_releases_every_lease_it_can_and_fails_visibly_when_one_release_fails()
    {
        const string abandoned = "arn:aws:states:eu-west-1:123456789012:execution:aws-challenge-dev-ingest:aborted-8";
        var scenario = Scenario(
            "succeed",
            Lease("20261125T010000Z-00000001", "9999-12-31T23:59:59.999Z", abandoned),
            Lease("20261125T010000Z-00000002", "9999-12-31T23:59:59.999Z", abandoned, "DATASET#sales.orders"));
        scenario["input"] = new JsonObject
        {
            ["cleanup"] = new JsonObject
            {
                ["executionArn"] = abandoned,
                ["input"] = JsonSerializer.Serialize(new { datasets = new[] { Dataset, "sales.orders" } }),
            },
        };
        scenario["failTasks"] = new JsonObject
        {
            ["ReleaseAbandonedLease"] = new JsonObject { ["pk"] = "DATASET#sales.orders", ["error"] = "DynamoDB.AmazonDynamoDBException" },
        };

        var report = Execute(scenario);

        report.Status.Should().Be("FAILED", report.Raw);
        report.Raw.Should().Contain("Ingest.LeasesNotReleased", "an unreleased lease is reported, not swallowed");
        report.Item(Pk, "LEASE").Should().BeNull("the other dataset's lease is still released");
        report.Item("DATASET#sales.orders", "LEASE").Should().NotBeNull();
    }

    private static JsonObject Scenario(string glue, params JsonObject[] items) => new()
    {
        ["tableName"] = StateMachineDefinition.TableName,
        ["glueJobName"] = StateMachineDefinition.GlueJobName,
        ["topicArn"] = StateMachineDefinition.TopicArn,
        ["glue"] = glue,
        ["input"] = new JsonObject { ["datasets"] = new JsonArray(Dataset) },
        ["context"] = new JsonObject
        {
            ["Execution"] = new JsonObject { ["Id"] = ExecutionArn },
            ["State"] = new JsonObject { ["EnteredTime"] = EnteredTime },
        },
        ["table"] = new JsonArray([.. items]),
    };

    /// <summary>
    /// A DEF#LATEST item as DynamoDbSchemaRegistry writes it: <c>version</c> (N), <c>registeredAt</c>, <c>fingerprint</c> and
    /// <c>definition</c>, the canonical JSON of the example definition.
    /// </summary>
    private static JsonObject Registered(string exampleFile, string pk = Pk)
    {
        var path = Path.Combine(RepoPaths.Examples, exampleFile);
        var definition = DatasetDefinitionSerializer.Deserialize(File.ReadAllText(path), path);
        var item = Item(pk, "DEF#LATEST", ("version", "3", "N"), ("registeredAt", "2026-11-20T08:00:00.0000000+00:00", "S"), ("fingerprint", new string('a', 64), "S"), ("definition", DatasetDefinitionSerializer.Serialize(definition), "S"));
        item[DynamoDbSchemaRegistry.RunSettingsAttribute] = LowLevel(DynamoDbSchemaRegistry.RunSettings(definition));
        return item;
    }

    /// <summary>An attribute value in DynamoDB's JSON form (S, N, BOOL, M), as the Step Functions integration returns it.</summary>
    private static JsonObject LowLevel(Amazon.DynamoDBv2.Model.AttributeValue value) => value switch
    {
        { S: not null } => new JsonObject { ["S"] = value.S },
        { N: not null } => new JsonObject { ["N"] = value.N },
        { BOOL: { } b } => new JsonObject { ["BOOL"] = b },
        { M: { Count: > 0 } } => new JsonObject { ["M"] = new JsonObject(value.M.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, LowLevel(p.Value)))) },
        _ => throw new NotSupportedException("Only S, N, BOOL and M values are converted here."),
    };

    /// <summary>A LEASE item as DynamoDbRunLedger writes it (the state machine writes the same attributes).</summary>
    private static JsonObject Lease(string runId, string expiresAt, string host, string pk = Pk)
        => Item(pk, "LEASE", ("runId", runId, "S"), ("host", host, "S"), ("processId", "0", "N"), ("expiresAt", expiresAt, "S"));

    private static JsonObject Item(string pk, string sk, params (string Name, string Value, string Type)[] attributes)
    {
        var item = new JsonObject
        {
            ["pk"] = new JsonObject { ["S"] = pk },
            ["sk"] = new JsonObject { ["S"] = sk },
        };
        foreach (var (name, value, type) in attributes)
        {
            item[name] = new JsonObject { [type] = value };
        }

        return item;
    }

    private static Report Execute(JsonObject scenario)
    {
        NodeTools.EnsureAvailable("aws-local-stepfunctions");
        var definition = StateMachineDefinition.RenderToFile();
        var scenarioPath = Path.Combine(Path.GetTempPath(), $"ingest-scenario-{Guid.NewGuid():N}.json");
        File.WriteAllText(scenarioPath, scenario.ToJsonString());
        try
        {
            var result = NodeTools.Node("run-asl.cjs", definition, scenarioPath);
            result.ExitCode.Should().Be(0, result.ToString());
            return new Report(result.StdOut);
        }
        finally
        {
            File.Delete(definition);
            File.Delete(scenarioPath);
        }
    }

    private sealed class Report
    {
        public Report(string json)
        {
            Raw = json;
            var root = JsonNode.Parse(json)!.AsObject();
            Status = root["status"]!.GetValue<string>();
            Output = root["output"];
            Calls = [.. root["calls"]!.AsArray().Select(c => c!.GetValue<string>())];
            Published = [.. root["published"]!.AsArray().Select(p => p!)];
            GlueCalls = [.. root["glueCalls"]!.AsArray().Select(p => p!)];
            GlueAttempts = root["glueAttempts"]!.GetValue<int>();
            Table = [.. root["table"]!.AsArray().Select(i => i!)];
        }

        public string Raw { get; }

        public string Status { get; }

        public JsonNode? Output { get; }

        public List<string> Calls { get; }

        public List<JsonNode> Published { get; }

        public List<JsonNode> GlueCalls { get; }

        public int GlueAttempts { get; }

        public List<JsonNode> Table { get; }

        public JsonNode? Item(string pk, string sk)
            => Table.SingleOrDefault(i => i["pk"]!["S"]!.GetValue<string>() == pk && i["sk"]!["S"]!.GetValue<string>() == sk);
    }
}
