using Ingest.Aws.DynamoDb;
using Ingest.TestSupport;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Ingest.Aws.StepFunctions;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Glue;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Aws.Tests.StepFunctions;

/// <summary>
/// The generated ingest state machine: accepted by asl-validator, and executed by aws-local-stepfunctions with every task
/// replaced by a local handler (run-asl.cjs: an in-memory DynamoDB table that evaluates the conditions, a Glue job that
/// commits or fails as the scenario says, SNS and BatchCreatePartition recorders).
/// </summary>
public sealed class IngestStateMachineTests
{
    private const string ExecutionArn = "arn:aws:states:eu-central-1:123456789012:execution:ingest:test";

    private static readonly IngestStateMachineOptions Options = new()
    {
        TableName = "ingest",
        GlueJobName = "ingest-glue-job",
        FailureTopicArn = "arn:aws:sns:eu-central-1:123456789012:ingest-failures",
        MaxConcurrency = 2,
    };

    private static readonly DatasetDefinition Orders = Definition("sales.orders", [new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Day }]);

    private static readonly DatasetDefinition Stock = Definition("inventory.stock_levels", [new PartitionField { Transform = PartitionTransform.IngestDate }, new PartitionField { Column = "warehouse" }]) with
    {
        Engine = new EngineSettings { Kind = EngineKind.Glue, Glue = new GlueSettings { WorkerType = "G.2X", NumberOfWorkers = 10, TimeoutMinutes = 120 } },
        Catalog = new CatalogSettings { Database = "inventory_lake" },
    };

    private static readonly DatasetDefinition Customers = Definition("sales.customers", [new PartitionField { Column = "warehouse" }]) with
    {
        Catalog = new CatalogSettings { PartitionStrategy = PartitionStrategy.Projection },
    };

    private static readonly DatasetDefinition Local = Definition("sales.returns", []) with { Engine = new EngineSettings { Kind = EngineKind.Local } };

    private static readonly DatasetDefinition[] All = [Orders, Stock, Customers, Local];

    private static string Machine => IngestStateMachine.Generate(Options);

    [Fact]
    public async Task Generate_Definition_PassesAslValidator()
    {
        var file = await WriteTempAsync(Machine);

        var (exit, output) = await NodeAsync(Path.Combine(ModelsDir, "node_modules", "asl-validator", "dist", "bin", "asl-validator.js"), "--json-path", file);

        exit.Should().Be(0, output);
    }

    [Fact]
    public void Generate_SameOptions_SameText()
        => IngestStateMachine.Generate(new IngestStateMachineOptions { TableName = "ingest", GlueJobName = "ingest-glue-job", FailureTopicArn = Options.FailureTopicArn, MaxConcurrency = 2 })
            .Should().Be(Machine, "the output is compared with the deployed file");

    [Fact]
    public void Generate_DefaultOptions_IsTheTerraformTemplate()
    {
        var template = IngestStateMachine.Generate(new IngestStateMachineOptions());

        template.Should().Contain("\"MaxConcurrency\": ${max_concurrency},", "Terraform substitutes a number there")
            .And.Contain("\"TableName\": \"${metadata_table}\"")
            .And.Contain("\"JobName\": \"${glue_job_name}\"")
            .And.Contain("\"TopicArn\": \"${failure_topic_arn}\"")
            .And.NotContain("\r").And.NotContain("\\u0027").And.EndWith("}\n");
    }

    [Fact]
    public void Generate_MaxConcurrencyOutOfRange_Throws()
        => FluentActions.Invoking(() => IngestStateMachine.Generate(new IngestStateMachineOptions { MaxConcurrency = 41 })).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public async Task Run_Success_RunsGlueRegistersPartitionsInBatchesAndReleasesLease()
    {
        var partitions = Enumerable.Range(0, 150).Select(i => $"ordered_at_day={new DateOnly(2024, 1, 1).AddDays(i):yyyy-MM-dd}/").ToList();

        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("sales.orders"),
            ["table"] = Registered("sales.orders", 3),
            ["partitions"] = new JsonObject { ["sales.orders"] = new JsonArray([.. partitions.Select(p => (JsonNode)p)]) },
            ["existingPartitions"] = new JsonArray("2024-01-01"),
        });

        report["status"]!.GetValue<string>().Should().Be("SUCCEEDED", report.ToJsonString());
        Results(report).Should().Equal("sales.orders:succeeded");
        var glue = report["glueCalls"]![0]!;
        glue["JobName"]!.GetValue<string>().Should().Be("ingest-glue-job");
        glue["Arguments"]!["--definition_version"]!.GetValue<string>().Should().Be("3");
        glue["Arguments"]!["--run_id"]!.GetValue<string>().Should().MatchRegex("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$");
        glue["WorkerType"]!.GetValue<string>().Should().Be("G.1X");
        var batches = report["partitionBatches"]!.AsArray();
        batches.Select(b => b!["PartitionInputList"]!.AsArray().Count).Should().Equal(100, 50);
        var first = batches[0]!["PartitionInputList"]![0]!;
        first["Values"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("2024-01-01");
        first["StorageDescriptor"]!["Location"]!.GetValue<string>().Should().Be("s3://lake/curated/sales/orders/ordered_at_day=2024-01-01/");
        batches[0]!["DatabaseName"]!.GetValue<string>().Should().Be("sales");
        Items(report).Should().NotContain("DATASET#sales.orders|LEASE");
        var run = Item(report, "DATASET#sales.orders|RUN#");
        run["executionArn"]!["S"]!.GetValue<string>().Should().Be(ExecutionArn);
        report["published"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Run_TwoLevelPartitions_ValuesInKeyOrder()
    {
        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("inventory.stock_levels"),
            ["table"] = Registered("inventory.stock_levels", 1),
            ["partitions"] = new JsonObject { ["inventory.stock_levels"] = new JsonArray("ingest_date=2024-05-01/warehouse=W 1/") },
        });

        report["status"]!.GetValue<string>().Should().Be("SUCCEEDED", report.ToJsonString());
        var input = report["partitionBatches"]![0]!["PartitionInputList"]![0]!;
        input["Values"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("2024-05-01", "W 1");
        input["StorageDescriptor"]!["Location"]!.GetValue<string>().Should().Be("s3://lake/curated/inventory/stock_levels/ingest_date=2024-05-01/warehouse=W 1/");
        report["partitionBatches"]![0]!["DatabaseName"]!.GetValue<string>().Should().Be("inventory_lake", "catalog.database overrides the domain");
        report["partitionBatches"]![0]!["TableName"]!.GetValue<string>().Should().Be("stock_levels");
        report["glueCalls"]![0]!["WorkerType"]!.GetValue<string>().Should().Be("G.2X");
        report["glueCalls"]![0]!["NumberOfWorkers"]!.GetValue<int>().Should().Be(10);
        report["glueCalls"]![0]!["Timeout"]!.GetValue<int>().Should().Be(120);
    }

    [Fact]
    public async Task Run_TransientGlueError_IsRetried()
    {
        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("sales.customers"),
            ["table"] = Registered("sales.customers", 1),
            ["glue"] = new JsonObject { ["sales.customers"] = new JsonArray("throttled", "succeed") },
            ["partitions"] = new JsonObject { ["sales.customers"] = new JsonArray("warehouse=A/") },
        });

        report["status"]!.GetValue<string>().Should().Be("SUCCEEDED", report.ToJsonString());
        report["glueAttempts"]!["sales.customers"]!.GetValue<int>().Should().Be(2);
        report["partitionBatches"]!.AsArray().Should().BeEmpty("the table uses partition projection");
        Items(report).Should().NotContain("DATASET#sales.customers|LEASE");
    }

    [Fact]
    public async Task Run_PermanentFailure_MarksLedgerPublishesAndReleasesLease()
    {
        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("sales.orders"),
            ["table"] = Registered("sales.orders", 2),
            ["glue"] = new JsonObject { ["sales.orders"] = new JsonArray("fail") },
        });

        report["status"]!.GetValue<string>().Should().Be("FAILED");
        report["error"]!.GetValue<string>().Should().Be("Ingest.RunsFailed", report.ToJsonString());
        var run = Item(report, "DATASET#sales.orders|RUN#");
        run["status"]!["S"]!.GetValue<string>().Should().Be("failed");
        var body = JsonNode.Parse(run["body"]!["S"]!.GetValue<string>())!;
        body["error"]!.GetValue<string>().Should().Contain("States.TaskFailed").And.Contain("not UTF-8");
        body["definitionVersion"]!.GetValue<int>().Should().Be(2);
        var published = report["published"]!.AsArray().Should().ContainSingle().Subject!;
        published["TopicArn"]!.GetValue<string>().Should().Be(Options.FailureTopicArn);
        published["Subject"]!.GetValue<string>().Should().Be("Ingest run failed: sales.orders");
        Items(report).Should().NotContain("DATASET#sales.orders|LEASE");
    }

    [Fact]
    public async Task Run_PartitionRegistrationFails_RunFails()
    {
        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("sales.orders"),
            ["table"] = Registered("sales.orders", 1),
            ["partitions"] = new JsonObject { ["sales.orders"] = new JsonArray("ordered_at_day=2024-05-01/") },
            ["partitionError"] = true,
        });

        report["status"]!.GetValue<string>().Should().Be("FAILED", report.ToJsonString());
        report["published"]!.AsArray().Should().ContainSingle();
        Items(report).Should().NotContain("DATASET#sales.orders|LEASE");
    }

    [Fact]
    public async Task Run_MapOverThreeDatasets_OneBusyOneUnregistered()
    {
        var table = Registered("sales.orders", 1);
        table.Add(Registered("inventory.stock_levels", 1)[0]!.DeepClone());
        table.Add(new JsonObject
        {
            ["pk"] = new JsonObject { ["S"] = "DATASET#inventory.stock_levels" },
            ["sk"] = new JsonObject { ["S"] = "LEASE" },
            ["runId"] = new JsonObject { ["S"] = "20240501T000000Z-local001" },
        });

        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("sales.orders", "inventory.stock_levels", "sales.customers"),
            ["table"] = table,
        });

        report["status"]!.GetValue<string>().Should().Be("FAILED", report.ToJsonString());
        report["error"]!.GetValue<string>().Should().Be("Ingest.RunsFailed");
        Item(report, "DATASET#sales.orders|RUN#")["executionArn"]!["S"]!.GetValue<string>().Should().Be(ExecutionArn, "sales.orders ran to the end");
        report["glueCalls"]!.AsArray().Should().ContainSingle("the busy and the unregistered dataset never reach Glue");
        Items(report).Should().Contain("DATASET#inventory.stock_levels|LEASE", "another run's lease is never released by us");
        Items(report).Should().NotContain(["DATASET#sales.orders|LEASE", "DATASET#sales.customers|LEASE"]);
        report["published"]!.AsArray().Should().ContainSingle().Which!["Message"]!.GetValue<string>().Should().Contain("no registered definition");
    }

    [Fact]
    public async Task Run_DatasetOnTheLocalEngine_FailsWithReason_WithoutGlue()
    {
        var report = await RunAsync(new JsonObject
        {
            ["input"] = Input("sales.returns"),
            ["table"] = Registered("sales.returns", 1),
        });

        report["status"]!.GetValue<string>().Should().Be("FAILED", report.ToJsonString());
        report["glueCalls"]!.AsArray().Should().BeEmpty();
        report["published"]!.AsArray().Should().ContainSingle().Which!["Message"]!.GetValue<string>().Should().Contain("engine.kind other than glue");
        Items(report).Should().NotContain("DATASET#sales.returns|LEASE");
    }

    [Fact]
    public async Task Run_CompressedDefinition_RunsFromTheRunSettings()
    {
        // A definition over 350 KB is stored compressed; the state machine never loads it, only version and runSettings.
        var table = Registered("sales.orders", 1);
        var item = table[0]!.AsObject();
        item.Remove("definition");
        item["definitionGz"] = new JsonObject { ["B"] = "H4sIAAAAAAAA" };

        var report = await RunAsync(new JsonObject { ["input"] = Input("sales.orders"), ["table"] = table });

        report["status"]!.GetValue<string>().Should().Be("SUCCEEDED", report.ToJsonString());
        report["glueCalls"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Run_DefinitionWithoutRunSettings_FailsWithReason()
    {
        var table = Registered("sales.orders", 1);
        table[0]!.AsObject().Remove(DynamoDbSchemaRegistry.RunSettingsAttribute);

        var report = await RunAsync(new JsonObject { ["input"] = Input("sales.orders"), ["table"] = table });

        report["status"]!.GetValue<string>().Should().Be("FAILED", report.ToJsonString());
        report["glueCalls"]!.AsArray().Should().BeEmpty();
        report["published"]!.AsArray().Should().ContainSingle().Which!["Message"]!.GetValue<string>().Should().Contain("has no runSettings");
    }

    private static string ModelsDir => Path.Combine(AwsServers.TestsFolder, "aws-models");

    private static DatasetDefinition Definition(string id, IReadOnlyList<PartitionField> partitioning) => new()
    {
        Id = DatasetId.Parse(id),
        Source = new SourceDefinition { Format = SourceFormat.Csv },
        Columns =
        [
            new ColumnDefinition { Name = "id", Type = ColumnType.Int64 },
            new ColumnDefinition { Name = "ordered_at", Type = ColumnType.Timestamp },
            new ColumnDefinition { Name = "warehouse", Type = ColumnType.String },
        ],
        Partitioning = partitioning,
        Engine = new EngineSettings { Kind = EngineKind.Glue },
    };

    private static JsonObject Input(params string[] datasets) => new() { ["datasets"] = new JsonArray([.. datasets.Select(d => (JsonNode)d)]) };

    /// <summary>The DEF#LATEST item as the DynamoDB registry writes it.</summary>
    private static JsonArray Registered(string dataset, int version) => new(new JsonObject
    {
        ["pk"] = new JsonObject { ["S"] = "DATASET#" + dataset },
        ["sk"] = new JsonObject { ["S"] = "DEF#LATEST" },
        ["version"] = new JsonObject { ["N"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["registeredAt"] = new JsonObject { ["S"] = "2024-05-01T00:00:00.0000000+00:00" },
        ["fingerprint"] = new JsonObject { ["S"] = "abc" },
        ["definition"] = new JsonObject { ["S"] = DatasetDefinitionSerializer.Serialize(All.Single(d => d.Id.ToString() == dataset)) },
        [DynamoDbSchemaRegistry.RunSettingsAttribute] = LowLevelJson.FromAttribute(DynamoDbSchemaRegistry.RunSettings(All.Single(d => d.Id.ToString() == dataset))),
    });

    private static List<string> Results(JsonNode report)
        => [.. report["output"]!["results"]!.AsArray().Select(r => $"{r!["dataset"]}:{r["status"]}")];

    private static List<string> Items(JsonNode report) => [.. report["table"]!.AsObject().Select(p => p.Key)];

    private static JsonNode Item(JsonNode report, string prefix)
        => report["table"]!.AsObject().Single(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Value!;

    private static async Task<JsonNode> RunAsync(JsonObject scenario)
    {
        // The Glue tables as the catalog (GlueCatalog) creates them, for the state machine's GetTable.
        scenario["glueTables"] = new JsonObject(All.Select(d => KeyValuePair.Create<string, JsonNode?>(
            $"{d.CatalogDatabase}.{d.CatalogTable}",
            GlueClient.Write(GlueTables.Build(new RegisteredDefinition(d, 1, DateTimeOffset.UnixEpoch, "abc"), "s3://lake/curated/" + DatasetLayout.DatasetPrefix(d.Id))))));
        var definition = await WriteTempAsync(Machine);
        var scenarioFile = await WriteTempAsync(scenario.ToJsonString());
        var (exit, output) = await NodeAsync(Path.Combine(AwsServers.TestsFolder, "Ingest.Aws.Tests", "StepFunctions", "run-asl.cjs"), definition, scenarioFile);
        exit.Should().Be(0, output);
        return JsonNode.Parse(output)!;
    }

    private static async Task<string> WriteTempAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "ingest-asl-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static async Task<(int ExitCode, string Output)> NodeAsync(params string[] arguments)
    {
        await NpmPackages.EnsureInstalledAsync(ModelsDir, Path.Combine("node_modules", "aws-local-stepfunctions", "package.json"));
        if (!Directory.Exists(Path.Combine(ModelsDir, "node_modules")))
        {
            throw new InvalidOperationException($"{ModelsDir}/node_modules is missing: install it first (npm ci --prefix tests/aws-models).");
        }

        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["AWS_MODELS_DIR"] = ModelsDir;
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
