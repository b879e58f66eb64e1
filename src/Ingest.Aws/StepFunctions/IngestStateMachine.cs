using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingest.Aws.StepFunctions;

/// <summary>Settings of the generated ingest state machine: the resources it calls.</summary>
/// <remarks>
/// The defaults are Terraform <c>templatefile</c> placeholders, so that <see cref="IngestStateMachine.Generate"/> with default
/// options produces <c>terraform/step_functions/ingest.asl.json</c>; set real names to get a definition that deploys as it is.
/// </remarks>
public sealed class IngestStateMachineOptions
{
    /// <summary>Gets or sets the DynamoDB table of the registry and ledger.</summary>
    /// <value>The default is <c>${metadata_table}</c>.</value>
    public string TableName { get; set; } = "${metadata_table}";

    /// <summary>Gets or sets the Glue job that runs an ingest.</summary>
    /// <value>The default is <c>${glue_job_name}</c> (Terraform deploys the job <c>ingest-glue-job</c>).</value>
    public string GlueJobName { get; set; } = "${glue_job_name}";

    /// <summary>Gets or sets the SNS topic failures are published to.</summary>
    /// <value>The default is <c>${failure_topic_arn}</c>.</value>
    public string FailureTopicArn { get; set; } = "${failure_topic_arn}";

    /// <summary>Gets or sets how many datasets are ingested at once (the Map state's <c>MaxConcurrency</c>).</summary>
    /// <value>
    /// The default is <see langword="null"/>: the Terraform placeholder <c>${max_concurrency}</c>, written without quotes (the
    /// file is then a template, valid JSON only once rendered). Otherwise between 1 and 40.
    /// </value>
    public int? MaxConcurrency { get; set; }
}

/// <summary>
/// Generates the ingest state machine (Amazon States Language). It is generic: it reads each dataset's settings from the
/// registry in DynamoDB at run time, so adding or changing a dataset needs no new state machine, only
/// <c>ingest datasets add</c>.
/// </summary>
/// <remarks>
/// <para>
/// Input <c>{"datasets": ["domain.name", …]}</c>: a Map state with a concurrency limit runs, per dataset: take the lease
/// (the <c>LEASE</c> item exactly as the C# ledger writes it, conditional on no live lease), read <c>DEF#LATEST</c>, check
/// that the definition's <c>engine.kind</c> is <c>glue</c>, run the Glue job synchronously with the definition's worker
/// settings (retrying Glue's retryable errors with backoff), check that the job committed <c>RUN#{runId}</c>, register
/// the run's partitions in batches of 100 (unless the dataset uses partition projection) and release the lease. On any
/// failure the run is marked failed in the ledger (unless the job recorded its own end) and published to SNS before the
/// lease is released. Input <c>{"cleanup": {"executionArn": …, "input": "…"}}</c> (sent by the EventBridge rule when an
/// execution is aborted or times out) releases the leases that execution still holds.
/// </para>
/// <para>
/// The lease the state machine takes expires at <c>9999-12-31T23:59:59.999Z</c> (States Language cannot add a duration
/// to a time): the Glue job replaces it with a real expiry and renews it, every path releases it, and cleanup releases it
/// after an abort. Of the registered definition it loads only the version and the <c>runSettings</c> the registry stores
/// beside it, so a definition of any size (also one stored compressed) keeps the state's payload small.
/// </para>
/// </remarks>
public static class IngestStateMachine
{
    /// <summary>The file, relative to the repository root, that Terraform deploys: <see cref="Generate"/> with default options.</summary>
    internal const string TerraformTemplatePath = "terraform/step_functions/ingest.asl.json";

    /// <summary>The lease expiry the state machine writes: the largest value of the ledger's expiry format.</summary>
    internal const string OpenEndedLeaseExpiry = "9999-12-31T23:59:59.999Z";

    private const string MaxConcurrencyPlaceholder = "${max_concurrency}";

    /// <summary>The Glue errors that a later attempt may not hit again.</summary>
    public static IReadOnlyList<string> RetryableGlueErrors { get; } =
    [
        "Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException", "Glue.InternalServiceException",
        "Glue.OperationTimeoutException", "Glue.ResourceNumberLimitExceededException",
    ];

    private static readonly string[] DynamoDbRetryable =
    [
        "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.RequestLimitExceeded", "DynamoDB.ThrottlingException", "DynamoDB.InternalServerErrorException",
    ];

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Generates the definition: indented with two spaces, <c>\n</c> line endings, states in a fixed order, so equal options give equal text.</summary>
    /// <param name="options">The resources; the defaults give the Terraform template.</param>
    /// <exception cref="ArgumentException">A name is empty, or <see cref="IngestStateMachineOptions.MaxConcurrency"/> is out of range.</exception>
    public static string Generate(IngestStateMachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TableName, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GlueJobName, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.FailureTopicArn, nameof(options));
        if (options.MaxConcurrency is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(options));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 40, nameof(options));
        }

        JsonNode maxConcurrency = options.MaxConcurrency is { } n ? n : MaxConcurrencyPlaceholder;
        var machine = new JsonObject
        {
            ["Comment"] = "Ingest: for each dataset, take its lease, read its registered definition, run the Glue job with the definition's worker settings, check the ledger, register partitions, publish failures, release the lease. Input {\"datasets\": [\"domain.name\", ...]}; {\"cleanup\": {\"executionArn\": ..., \"input\": ...}} releases the leases of an aborted or timed-out execution. Items as src/Ingest.Aws/DynamoDb writes them (pk DATASET#<id>; sk LEASE, DEF#LATEST, RUN#<run id>). Generated by 'ingest deploy asl' (Ingest.Aws IngestStateMachine): do not edit.",
            ["StartAt"] = "Mode",
            ["TimeoutSeconds"] = 172800,
            ["States"] = new JsonObject
            {
                ["Mode"] = new JsonObject
                {
                    ["Type"] = "Choice",
                    ["Choices"] = new JsonArray(
                        new JsonObject { ["Variable"] = "$.cleanup", ["IsPresent"] = true, ["Next"] = "ParseCleanup" },
                        new JsonObject { ["Variable"] = "$.datasets", ["IsPresent"] = true, ["Next"] = "IngestDatasets" }),
                    ["Default"] = "NoDatasets",
                },
                ["NoDatasets"] = new JsonObject
                {
                    ["Type"] = "Fail",
                    ["Error"] = "Ingest.InvalidInput",
                    ["Cause"] = "The input names no datasets: start the state machine with {\"datasets\": [\"domain.name\", ...]}.",
                },
                ["IngestDatasets"] = new JsonObject
                {
                    ["Type"] = "Map",
                    ["ItemsPath"] = "$.datasets",
                    ["MaxConcurrency"] = maxConcurrency,
                    ["ItemSelector"] = new JsonObject { ["dataset.$"] = "$$.Map.Item.Value", ["executionArn.$"] = "$$.Execution.Id" },
                    ["ItemProcessor"] = new JsonObject
                    {
                        ["ProcessorConfig"] = new JsonObject { ["Mode"] = "INLINE" },
                        ["StartAt"] = "NewRunId",
                        ["States"] = DatasetStates(options),
                    },
                    ["ResultPath"] = "$.results",
                    ["Next"] = "Summarize",
                },
                ["Summarize"] = new JsonObject
                {
                    ["Type"] = "Pass",
                    ["Parameters"] = new JsonObject { ["results.$"] = "$.results", ["anyFailed.$"] = "States.ArrayContains($.results[*].status, 'failed')" },
                    ["Next"] = "AnyFailed",
                },
                ["AnyFailed"] = new JsonObject
                {
                    ["Type"] = "Choice",
                    ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.anyFailed", ["BooleanEquals"] = true, ["Next"] = "SomeRunsFailed" }),
                    ["Default"] = "AllDone",
                },
                ["SomeRunsFailed"] = new JsonObject
                {
                    ["Type"] = "Fail",
                    ["Error"] = "Ingest.RunsFailed",
                    ["Cause"] = "At least one dataset's run failed; each failure was published to the failure topic with its reason.",
                },
                ["AllDone"] = new JsonObject { ["Type"] = "Succeed" },
                ["ParseCleanup"] = new JsonObject
                {
                    ["Type"] = "Pass",
                    ["Parameters"] = new JsonObject
                    {
                        ["executionArn.$"] = "$.cleanup.executionArn",
                        ["original.$"] = "States.StringToJson($.cleanup.input)",
                    },
                    ["Next"] = "HasAbandonedDatasets",
                },
                ["HasAbandonedDatasets"] = new JsonObject
                {
                    ["Type"] = "Choice",
                    ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.original.datasets", ["IsPresent"] = true, ["Next"] = "ReleaseAbandonedLeases" }),
                    ["Default"] = "NothingToClean",
                },
                ["NothingToClean"] = new JsonObject { ["Type"] = "Succeed" },
                ["ReleaseAbandonedLeases"] = new JsonObject
                {
                    ["Type"] = "Map",
                    ["ItemsPath"] = "$.original.datasets",
                    ["MaxConcurrency"] = maxConcurrency.DeepClone(),
                    ["ItemSelector"] = new JsonObject { ["dataset.$"] = "$$.Map.Item.Value", ["executionArn.$"] = "$.executionArn" },
                    ["ItemProcessor"] = new JsonObject
                    {
                        ["ProcessorConfig"] = new JsonObject { ["Mode"] = "INLINE" },
                        ["StartAt"] = "ReleaseAbandonedLease",
                        ["States"] = new JsonObject
                        {
                            ["ReleaseAbandonedLease"] = DynamoDbTask(
                                "deleteItem",
                                new JsonObject
                                {
                                    ["TableName"] = options.TableName,
                                    ["Key"] = new JsonObject { ["pk"] = S("States.Format('DATASET#{}', $.dataset)"), ["sk"] = new JsonObject { ["S"] = "LEASE" } },
                                    ["ConditionExpression"] = "host = :arn",
                                    ["ExpressionAttributeValues"] = new JsonObject { [":arn"] = S("$.executionArn") },
                                },
                                null,
                                "Released",
                                new JsonArray(
                                    Catch("NotHeld", "DynamoDB.ConditionalCheckFailedException", resultPath: null),
                                    Catch("NotReleased"))),
                            ["Released"] = new JsonObject
                            {
                                ["Type"] = "Pass",
                                ["Parameters"] = new JsonObject { ["dataset.$"] = "$.dataset", ["status"] = "released" },
                                ["End"] = true,
                            },
                            ["NotHeld"] = new JsonObject
                            {
                                ["Type"] = "Pass",
                                ["Comment"] = "The lease was released already or belongs to another run.",
                                ["Parameters"] = new JsonObject { ["dataset.$"] = "$.dataset", ["status"] = "not-held" },
                                ["End"] = true,
                            },
                            ["NotReleased"] = new JsonObject
                            {
                                ["Type"] = "Pass",
                                ["Comment"] = "Any other error (access, throttling beyond the retries, a missing table): the other datasets are still released, and the execution fails at the end so the alarm reports it.",
                                ["Parameters"] = new JsonObject
                                {
                                    ["dataset.$"] = "$.dataset",
                                    ["status"] = "not-released",
                                    ["error.$"] = "States.Format('{}: {}', $.error.Error, $.error.Cause)",
                                },
                                ["End"] = true,
                            },
                        },
                    },
                    ["ResultPath"] = "$.released",
                    ["Next"] = "SummarizeCleanup",
                },
                ["SummarizeCleanup"] = new JsonObject
                {
                    ["Type"] = "Pass",
                    ["Parameters"] = new JsonObject { ["released.$"] = "$.released", ["anyNotReleased.$"] = "States.ArrayContains($.released[*].status, 'not-released')" },
                    ["Next"] = "AnyNotReleased",
                },
                ["AnyNotReleased"] = new JsonObject
                {
                    ["Type"] = "Choice",
                    ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.anyNotReleased", ["BooleanEquals"] = true, ["Next"] = "LeasesNotReleased" }),
                    ["Default"] = "CleanupDone",
                },
                ["LeasesNotReleased"] = new JsonObject
                {
                    ["Type"] = "Fail",
                    ["Error"] = "Ingest.LeasesNotReleased",
                    ["Cause"] = "At least one lease of the abandoned execution could not be released (see the execution's output per dataset); delete its LEASE item once the cause is fixed.",
                },
                ["CleanupDone"] = new JsonObject { ["Type"] = "Succeed" },
            },
        };

        var text = machine.ToJsonString(Indented);
        if (options.MaxConcurrency is null)
        {
            // Terraform substitutes a number here, so the placeholder goes in without quotes.
            text = text.Replace($"\"MaxConcurrency\": \"{MaxConcurrencyPlaceholder}\"", $"\"MaxConcurrency\": {MaxConcurrencyPlaceholder}", StringComparison.Ordinal);
        }

        return text + "\n";
    }

    private static JsonObject DatasetStates(IngestStateMachineOptions options)
    {
        var states = new JsonObject
        {
            ["NewRunId"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Comment"] = "Run ids look like the C# engine's: yyyyMMddTHHmmssZ-<8 hex>.",
                ["Parameters"] = new JsonObject
                {
                    ["dataset.$"] = "$.dataset",
                    ["executionArn.$"] = "$.executionArn",
                    ["startedAt.$"] = "$$.State.EnteredTime",
                    ["date.$"] = "States.StringSplit(States.ArrayGetItem(States.StringSplit($$.State.EnteredTime, 'T'), 0), '-')",
                    ["time.$"] = "States.StringSplit(States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($$.State.EnteredTime, 'T'), 1), 'Z'), 0), '.'), 0), ':')",
                    ["nonce.$"] = "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0)",
                },
                ["Next"] = "DescribeRun",
            },
            ["DescribeRun"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Parameters"] = new JsonObject
                {
                    ["dataset.$"] = "$.dataset",
                    ["executionArn.$"] = "$.executionArn",
                    ["startedAt.$"] = "$.startedAt",
                    ["pk.$"] = "States.Format('DATASET#{}', $.dataset)",
                    ["runId.$"] = "States.Format('{}{}{}T{}{}{}Z-{}', States.ArrayGetItem($.date, 0), States.ArrayGetItem($.date, 1), States.ArrayGetItem($.date, 2), States.ArrayGetItem($.time, 0), States.ArrayGetItem($.time, 1), States.ArrayGetItem($.time, 2), $.nonce)",
                    ["version"] = "0",
                },
                ["Next"] = "AcquireLease",
            },
            ["AcquireLease"] = DynamoDbTask(
                "putItem",
                new JsonObject
                {
                    ["TableName"] = options.TableName,
                    ["Item"] = new JsonObject
                    {
                        ["pk"] = S("$.pk"),
                        ["sk"] = new JsonObject { ["S"] = "LEASE" },
                        ["runId"] = S("$.runId"),
                        ["host"] = S("$.executionArn"),
                        ["processId"] = new JsonObject { ["N"] = "0" },
                        ["expiresAt"] = new JsonObject { ["S"] = OpenEndedLeaseExpiry },
                    },
                    ["ConditionExpression"] = "attribute_not_exists(pk) OR expiresAt <= :now",
                    ["ExpressionAttributeValues"] = new JsonObject { [":now"] = S("$$.State.EnteredTime") },
                },
                null,
                "LoadSettings",
                new JsonArray(Catch("DatasetBusy", "DynamoDB.ConditionalCheckFailedException"), Catch("LeaseNotTaken"))),
            ["DatasetBusy"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Comment"] = "Another run holds a live lease: nothing to do now, and nothing of ours to release.",
                ["Parameters"] = new JsonObject { ["dataset.$"] = "$.dataset", ["runId.$"] = "$.runId", ["status"] = "busy" },
                ["End"] = true,
            },
            ["LeaseNotTaken"] = Error("States.Format('Taking the lease failed: {}', $.error.Cause)", "$.error.Error"),
            ["LoadSettings"] = DynamoDbTask(
                "getItem",
                new JsonObject
                {
                    ["TableName"] = options.TableName,
                    ["Key"] = new JsonObject { ["pk"] = S("$.pk"), ["sk"] = new JsonObject { ["S"] = "DEF#LATEST" } },
                    ["ConsistentRead"] = true,
                    ["ProjectionExpression"] = "#version, #runSettings",
                    ["ExpressionAttributeNames"] = new JsonObject { ["#version"] = "version", ["#runSettings"] = "runSettings" },
                },
                "$.settings",
                "IsRegistered",
                new JsonArray(Catch("DescribeFailure")),
                "Only the version and the run settings the registry stores beside the definition: the definition itself may be larger than a state's 256 KB payload."),
            ["IsRegistered"] = new JsonObject
            {
                ["Type"] = "Choice",
                ["Choices"] = new JsonArray(
                    new JsonObject
                    {
                        ["And"] = new JsonArray(
                            new JsonObject { ["Variable"] = "$.settings.Item.version.N", ["IsPresent"] = true },
                            new JsonObject { ["Variable"] = "$.settings.Item.runSettings.M", ["IsPresent"] = true }),
                        ["Next"] = "ReadDefinition",
                    },
                    new JsonObject { ["Variable"] = "$.settings.Item.version.N", ["IsPresent"] = true, ["Next"] = "NoRunSettings" }),
                ["Default"] = "NotRegistered",
            },
            ["NotRegistered"] = Error("States.Format('Dataset {} has no registered definition (no DEF#LATEST item): register it with ingest datasets add.', $.dataset)", "Ingest.NotRegistered"),
            ["NoRunSettings"] = Error("States.Format('The registered definition of {} has no runSettings (it was registered by an SDK that did not store them): register a new version with ingest datasets add.', $.dataset)", "Ingest.NoRunSettings"),
            ["ReadDefinition"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["Comment"] = "DEF#LATEST's runSettings as DynamoDbSchemaRegistry writes them: glue (BOOL), workerType, numberOfWorkers (N), timeoutMinutes (N), registersPartitions (BOOL), database, table.",
                ["Parameters"] = new JsonObject
                {
                    ["version.$"] = "$.settings.Item.version.N",
                    ["glue.$"] = "$.settings.Item.runSettings.M.glue.BOOL",
                    ["workerType.$"] = "$.settings.Item.runSettings.M.workerType.S",
                    ["numberOfWorkers.$"] = "States.StringToJson($.settings.Item.runSettings.M.numberOfWorkers.N)",
                    ["timeoutMinutes.$"] = "States.StringToJson($.settings.Item.runSettings.M.timeoutMinutes.N)",
                    ["registersPartitions.$"] = "$.settings.Item.runSettings.M.registersPartitions.BOOL",
                    ["catalog"] = new JsonObject
                    {
                        ["database.$"] = "$.settings.Item.runSettings.M.database.S",
                        ["table.$"] = "$.settings.Item.runSettings.M.table.S",
                    },
                },
                ["ResultPath"] = "$.registered",
                ["Next"] = "ReadVersion",
            },
            ["ReadVersion"] = new JsonObject
            {
                ["Type"] = "Pass",
                ["InputPath"] = "$.registered.version",
                ["ResultPath"] = "$.version",
                ["Next"] = "IsGlueDataset",
            },
            ["IsGlueDataset"] = new JsonObject
            {
                ["Type"] = "Choice",
                ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.registered.glue", ["BooleanEquals"] = true, ["Next"] = "RunGlueJob" }),
                ["Default"] = "NotAGlueDataset",
            },
            ["NotAGlueDataset"] = Error("States.Format('Dataset {} is registered with engine.kind other than glue; run it with the in-process engine (ingest run).', $.dataset)", "Ingest.NotAGlueDataset"),
            ["RunGlueJob"] = new JsonObject
            {
                ["Type"] = "Task",
                ["Resource"] = "arn:aws:states:::glue:startJobRun.sync",
                ["Comment"] = "Worker settings from the definition's engine.glue; the job reads everything else from the registry.",
                ["Parameters"] = new JsonObject
                {
                    ["JobName"] = options.GlueJobName,
                    ["Arguments"] = new JsonObject
                    {
                        ["--dataset.$"] = "$.dataset",
                        ["--run_id.$"] = "$.runId",
                        ["--definition_version.$"] = "$.version",
                        ["--started_at.$"] = "$.startedAt",
                        ["--execution_arn.$"] = "$.executionArn",
                    },
                    ["WorkerType.$"] = "$.registered.workerType",
                    ["NumberOfWorkers.$"] = "$.registered.numberOfWorkers",
                    ["Timeout.$"] = "$.registered.timeoutMinutes",
                },
                ["ResultSelector"] = new JsonObject { ["jobRunId.$"] = "$.Id", ["state.$"] = "$.JobRunState" },
                ["ResultPath"] = "$.glue",
                ["Retry"] = new JsonArray(new JsonObject
                {
                    ["ErrorEquals"] = new JsonArray([.. RetryableGlueErrors.Select(e => (JsonNode)e)]),
                    ["IntervalSeconds"] = 30,
                    ["MaxAttempts"] = 4,
                    ["BackoffRate"] = 2,
                    ["JitterStrategy"] = "FULL",
                }),
                ["Catch"] = new JsonArray(Catch("DescribeFailure")),
                ["Next"] = "RecordSuccess",
            },
            ["RecordSuccess"] = DynamoDbTask(
                "updateItem",
                new JsonObject
                {
                    ["TableName"] = options.TableName,
                    ["Key"] = new JsonObject { ["pk"] = S("$.pk"), ["sk"] = S("States.Format('RUN#{}', $.runId)") },
                    ["UpdateExpression"] = "SET executionArn = :arn, glueJobRunId = :jobRun",
                    ["ConditionExpression"] = "#status IN (:succeeded, :skipped)",
                    ["ExpressionAttributeNames"] = new JsonObject { ["#status"] = "status" },
                    ["ExpressionAttributeValues"] = new JsonObject
                    {
                        [":arn"] = S("$.executionArn"),
                        [":jobRun"] = S("$.glue.jobRunId"),
                        [":succeeded"] = new JsonObject { ["S"] = "succeeded" },
                        [":skipped"] = new JsonObject { ["S"] = "skipped" },
                    },
                    ["ReturnValues"] = "ALL_NEW",
                },
                "$.run",
                "RegistersPartitions",
                new JsonArray(Catch("NotCommitted", "DynamoDB.ConditionalCheckFailedException"), Catch("DescribeFailure")),
                "The Glue job commits RUN#<run id> itself (files, fingerprints, partitions); this checks it did and links the execution and job run to it.",
                new JsonObject { ["item.$"] = "$.Attributes" }),
            ["NotCommitted"] = Error("States.Format('Glue job run {} ended without committing run {} in the ledger.', $.glue.jobRunId, $.runId)", "Ingest.NotCommitted"),
        };

        AddPartitionStates(states);

        states["Succeeded"] = new JsonObject { ["Type"] = "Pass", ["Result"] = "succeeded", ["ResultPath"] = "$.outcome", ["Next"] = "ReleaseLease" };
        states["DescribeFailure"] = new JsonObject
        {
            ["Type"] = "Pass",
            ["Comment"] = "A failed RunRecord as the C# ledger writes it.",
            ["Parameters"] = new JsonObject
            {
                ["runId.$"] = "$.runId",
                ["dataset.$"] = "$.dataset",
                ["definitionVersion.$"] = "States.StringToJson($.version)",
                ["status"] = "failed",
                ["startedAt.$"] = "$.startedAt",
                ["endedAt.$"] = "$$.State.EnteredTime",
                ["rowsRead"] = 0,
                ["rowsWritten"] = 0,
                ["rowsRejected"] = 0,
                ["filesWritten"] = new JsonArray(),
                ["partitionsWritten"] = new JsonArray(),
                ["sources"] = new JsonArray(),
                ["error.$"] = "States.Format('{}: {}', $.error.Error, $.error.Cause)",
            },
            ["ResultPath"] = "$.failure",
            ["Next"] = "RecordFailure",
        };
        states["RecordFailure"] = DynamoDbTask(
            "updateItem",
            new JsonObject
            {
                ["TableName"] = options.TableName,
                ["Key"] = new JsonObject { ["pk"] = S("$.pk"), ["sk"] = S("States.Format('RUN#{}', $.runId)") },
                ["UpdateExpression"] = "SET #status = :failed, body = :body, executionArn = :arn",
                ["ConditionExpression"] = "attribute_not_exists(#status) OR #status = :running",
                ["ExpressionAttributeNames"] = new JsonObject { ["#status"] = "status" },
                ["ExpressionAttributeValues"] = new JsonObject
                {
                    [":failed"] = new JsonObject { ["S"] = "failed" },
                    [":running"] = new JsonObject { ["S"] = "running" },
                    [":body"] = S("States.JsonToString($.failure)"),
                    [":arn"] = S("$.executionArn"),
                },
            },
            null,
            "PublishFailure",
            new JsonArray(Catch("PublishFailure", resultPath: "$.recordError")),
            "Marks the run failed unless the job already recorded its own end (a failed run keeps the job's reason; a committed one is never overwritten).");
        states["PublishFailure"] = new JsonObject
        {
            ["Type"] = "Task",
            ["Resource"] = "arn:aws:states:::sns:publish",
            ["Parameters"] = new JsonObject
            {
                ["TopicArn"] = options.FailureTopicArn,
                ["Subject.$"] = "States.Format('Ingest run failed: {}', $.dataset)",
                ["Message.$"] = "States.JsonToString($.failure)",
                ["MessageAttributes"] = new JsonObject
                {
                    ["dataset"] = new JsonObject { ["DataType"] = "String", ["StringValue.$"] = "$.dataset" },
                    ["runId"] = new JsonObject { ["DataType"] = "String", ["StringValue.$"] = "$.runId" },
                },
            },
            ["ResultPath"] = JsonValue.Create<string?>(null),
            ["Retry"] = Retry("SNS.ThrottledException", "SNS.InternalErrorException", "SNS.KMSThrottlingException"),
            ["Catch"] = new JsonArray(Catch("Failed", resultPath: "$.publishError")),
            ["Next"] = "Failed",
        };
        states["Failed"] = new JsonObject { ["Type"] = "Pass", ["Result"] = "failed", ["ResultPath"] = "$.outcome", ["Next"] = "ReleaseLease" };
        states["ReleaseLease"] = DynamoDbTask(
            "deleteItem",
            new JsonObject
            {
                ["TableName"] = options.TableName,
                ["Key"] = new JsonObject { ["pk"] = S("$.pk"), ["sk"] = new JsonObject { ["S"] = "LEASE" } },
                ["ConditionExpression"] = "runId = :runId",
                ["ExpressionAttributeValues"] = new JsonObject { [":runId"] = S("$.runId") },
            },
            null,
            "Outcome",
            new JsonArray(Catch("Outcome", resultPath: "$.releaseError")));
        states["Outcome"] = new JsonObject
        {
            ["Type"] = "Pass",
            ["Parameters"] = new JsonObject { ["dataset.$"] = "$.dataset", ["runId.$"] = "$.runId", ["status.$"] = "$.outcome" },
            ["End"] = true,
        };
        return states;
    }

    /// <summary>
    /// Partition registration, when the definition's <c>catalog.partitionStrategy</c> is <c>register</c>, it has partitions,
    /// and the run wrote some: the table's storage descriptor comes from Glue (GetTable), each written partition
    /// (<c>a=1/b=2/</c>) becomes a partition input with one value per partition key of the table, in key order, then BatchCreatePartition in batches of
    /// 100; an existing partition counts as success, any other error fails the run.
    /// </summary>
    private static void AddPartitionStates(JsonObject states)
    {
        states["RegistersPartitions"] = new JsonObject
        {
            ["Type"] = "Choice",
            ["Choices"] = new JsonArray(new JsonObject
            {
                ["And"] = new JsonArray(
                    new JsonObject { ["Variable"] = "$.registered.registersPartitions", ["BooleanEquals"] = true },
                    new JsonObject { ["Variable"] = "$.run.item.body.S", ["IsPresent"] = true }),
                ["Next"] = "ReadRun",
            }),
            ["Default"] = "Succeeded",
        };
        states["ReadRun"] = new JsonObject
        {
            ["Type"] = "Pass",
            ["Comment"] = "The committed RunRecord; partitionsWritten are relative to the dataset's folder (a=1/b=2/).",
            ["Parameters"] = new JsonObject
            {
                ["body.$"] = "States.StringToJson($.run.item.body.S)",
                ["catalog.$"] = "$.registered.catalog",
            },
            ["ResultPath"] = "$.run",
            ["Next"] = "HasPartitions",
        };
        states["HasPartitions"] = new JsonObject
        {
            ["Type"] = "Choice",
            ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.run.body.partitionsWritten[0]", ["IsPresent"] = true, ["Next"] = "GetTable" }),
            ["Default"] = "Succeeded",
        };
        states["GetTable"] = new JsonObject
        {
            ["Type"] = "Task",
            ["Resource"] = "arn:aws:states:::aws-sdk:glue:getTable",
            ["Parameters"] = new JsonObject { ["DatabaseName.$"] = "$.run.catalog.database", ["Name.$"] = "$.run.catalog.table" },
            ["ResultSelector"] = new JsonObject { ["storage.$"] = "$.Table.StorageDescriptor", ["levels.$"] = "States.ArrayLength($.Table.PartitionKeys)" },
            ["ResultPath"] = "$.table",
            ["Retry"] = Retry("Glue.ThrottlingException", "Glue.InternalServiceException", "Glue.OperationTimeoutException"),
            ["Catch"] = new JsonArray(Catch("DescribeFailure")),
            ["Next"] = "BuildPartitionInputs",
        };
        states["BuildPartitionInputs"] = new JsonObject
        {
            ["Type"] = "Map",
            ["ItemsPath"] = "$.run.body.partitionsWritten",
            ["MaxConcurrency"] = 40,
            ["ItemSelector"] = new JsonObject
            {
                ["partition.$"] = "$$.Map.Item.Value",
                ["segments.$"] = "States.StringSplit($$.Map.Item.Value, '/')",
                ["levels.$"] = "States.ArrayRange(0, States.MathAdd($.table.levels, -1), 1)",
                ["storage.$"] = "$.table.storage",
            },
            ["ItemProcessor"] = new JsonObject
            {
                ["ProcessorConfig"] = new JsonObject { ["Mode"] = "INLINE" },
                ["StartAt"] = "PartitionValues",
                ["States"] = new JsonObject
                {
                    ["PartitionValues"] = new JsonObject
                    {
                        ["Type"] = "Map",
                        ["Comment"] = "The value of each name=value segment, one per partition key of the table, in key order.",
                        ["ItemsPath"] = "$.levels",
                        ["ItemSelector"] = new JsonObject { ["value.$"] = "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem($.segments, $$.Map.Item.Value), '='), 1)" },
                        ["ItemProcessor"] = new JsonObject
                        {
                            ["ProcessorConfig"] = new JsonObject { ["Mode"] = "INLINE" },
                            ["StartAt"] = "PartitionValue",
                            ["States"] = new JsonObject { ["PartitionValue"] = new JsonObject { ["Type"] = "Pass", ["OutputPath"] = "$.value", ["End"] = true } },
                        },
                        ["ResultPath"] = "$.values",
                        ["Next"] = "PartitionInput",
                    },
                    ["PartitionInput"] = new JsonObject
                    {
                        ["Type"] = "Pass",
                        ["Parameters"] = new JsonObject
                        {
                            ["Values.$"] = "$.values",
                            ["StorageDescriptor"] = new JsonObject
                            {
                                ["Columns.$"] = "$.storage.Columns",
                                ["Location.$"] = "States.Format('{}{}', $.storage.Location, $.partition)",
                                ["InputFormat.$"] = "$.storage.InputFormat",
                                ["OutputFormat.$"] = "$.storage.OutputFormat",
                                ["SerdeInfo.$"] = "$.storage.SerdeInfo",
                            },
                        },
                        ["End"] = true,
                    },
                },
            },
            ["ResultSelector"] = new JsonObject { ["batches.$"] = "States.ArrayPartition($, 100)" },
            ["ResultPath"] = "$.partitions",
            ["Catch"] = new JsonArray(Catch("DescribeFailure")),
            ["Next"] = "RegisterPartitions",
        };
        states["RegisterPartitions"] = new JsonObject
        {
            ["Type"] = "Map",
            ["ItemsPath"] = "$.partitions.batches",
            ["MaxConcurrency"] = 1,
            ["ItemSelector"] = new JsonObject
            {
                ["batch.$"] = "$$.Map.Item.Value",
                ["database.$"] = "$.run.catalog.database",
                ["table.$"] = "$.run.catalog.table",
            },
            ["ItemProcessor"] = new JsonObject
            {
                ["ProcessorConfig"] = new JsonObject { ["Mode"] = "INLINE" },
                ["StartAt"] = "CreatePartitions",
                ["States"] = new JsonObject
                {
                    ["CreatePartitions"] = new JsonObject
                    {
                        ["Type"] = "Task",
                        ["Resource"] = "arn:aws:states:::aws-sdk:glue:batchCreatePartition",
                        ["Parameters"] = new JsonObject { ["DatabaseName.$"] = "$.database", ["TableName.$"] = "$.table", ["PartitionInputList.$"] = "$.batch" },
                        ["Retry"] = Retry("Glue.ThrottlingException", "Glue.InternalServiceException", "Glue.OperationTimeoutException"),
                        ["Next"] = "AnyPartitionErrors",
                    },
                    ["AnyPartitionErrors"] = new JsonObject
                    {
                        ["Type"] = "Choice",
                        ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.Errors[0]", ["IsPresent"] = true, ["Next"] = "OtherPartitionErrors" }),
                        ["Default"] = "BatchRegistered",
                    },
                    ["OtherPartitionErrors"] = new JsonObject
                    {
                        ["Type"] = "Map",
                        ["Comment"] = "An existing partition counts as success; any other error fails the run.",
                        ["ItemsPath"] = "$.Errors",
                        ["ItemProcessor"] = new JsonObject
                        {
                            ["ProcessorConfig"] = new JsonObject { ["Mode"] = "INLINE" },
                            ["StartAt"] = "IsExisting",
                            ["States"] = new JsonObject
                            {
                                ["IsExisting"] = new JsonObject
                                {
                                    ["Type"] = "Choice",
                                    ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.ErrorDetail.ErrorCode", ["StringEquals"] = "AlreadyExistsException", ["Next"] = "Existing" }),
                                    ["Default"] = "PartitionRegistrationFailed",
                                },
                                ["Existing"] = new JsonObject { ["Type"] = "Succeed" },
                                ["PartitionRegistrationFailed"] = new JsonObject { ["Type"] = "Fail", ["Error"] = "Ingest.PartitionsNotRegistered", ["Cause"] = "Glue refused to create a partition (other than an existing one)." },
                            },
                        },
                        ["ResultPath"] = JsonValue.Create<string?>(null),
                        ["Next"] = "BatchRegistered",
                    },
                    ["BatchRegistered"] = new JsonObject { ["Type"] = "Succeed" },
                },
            },
            ["ResultPath"] = JsonValue.Create<string?>(null),
            ["Catch"] = new JsonArray(Catch("DescribeFailure")),
            ["Next"] = "Succeeded",
        };
    }

    private static JsonObject S(string path) => new() { ["S.$"] = path };

    private static JsonObject Catch(string next, string? error = null, string? resultPath = "$.error") => new()
    {
        ["ErrorEquals"] = new JsonArray(error ?? "States.ALL"),
        ["ResultPath"] = resultPath is null ? JsonValue.Create<string?>(null) : resultPath,
        ["Next"] = next,
    };

    private static JsonArray Retry(params string[] errors) => new(new JsonObject
    {
        ["ErrorEquals"] = new JsonArray([.. errors.Select(e => (JsonNode)e)]),
        ["IntervalSeconds"] = 2,
        ["MaxAttempts"] = 5,
        ["BackoffRate"] = 2,
        ["JitterStrategy"] = "FULL",
    });

    private static JsonObject DynamoDbTask(string action, JsonObject parameters, string? resultPath, string? next, JsonArray catches, string? comment = null, JsonObject? resultSelector = null)
    {
        var task = new JsonObject { ["Type"] = "Task" };
        if (comment is not null)
        {
            task["Comment"] = comment;
        }

        task["Resource"] = "arn:aws:states:::dynamodb:" + action;
        task["Parameters"] = parameters;
        if (resultSelector is not null)
        {
            task["ResultSelector"] = resultSelector;
        }

        task["ResultPath"] = resultPath is null ? JsonValue.Create<string?>(null) : resultPath;
        task["Retry"] = Retry(DynamoDbRetryable);
        task["Catch"] = catches;
        if (next is null)
        {
            task["End"] = true;
        }
        else
        {
            task["Next"] = next;
        }

        return task;
    }

    private static JsonObject Error(string causeExpression, string errorOrPath) => new()
    {
        ["Type"] = "Pass",
        ["Parameters"] = errorOrPath.StartsWith('$')
            ? new JsonObject { ["Error.$"] = errorOrPath, ["Cause.$"] = causeExpression }
            : new JsonObject { ["Error"] = errorOrPath, ["Cause.$"] = causeExpression },
        ["ResultPath"] = "$.error",
        ["Next"] = "DescribeFailure",
    };
}
