using System.Text.Json.Nodes;

namespace Ingest.Aws.Tests.Protocol;

/// <summary>Service answers in the official response shapes (each one is checked against the model's output shape).</summary>
public static class Canned
{
    public const string GetDatabase = """{"Database":{"Name":"sales","Description":"Sales domain","CreateTime":1764100000.5,"CatalogId":"123456789012"}}""";

    public const string GetTable = """
        {"Table":{"Name":"orders","DatabaseName":"sales","Description":"Orders","TableType":"EXTERNAL_TABLE","VersionId":"7",
        "CreateTime":1764100000,"UpdateTime":1764100100,"Parameters":{"classification":"parquet"},
        "PartitionKeys":[{"Name":"ordered_at_day","Type":"date"}],
        "StorageDescriptor":{"Columns":[{"Name":"order_id","Type":"bigint","Comment":"The id"},{"Name":"amount","Type":"decimal(18,2)"}],
        "Location":"s3://lake/curated/sales/orders/","InputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat","Compressed":false,
        "SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe","Parameters":{"serialization.format":"1"}}}}}
        """;

    public const string BatchCreatePartitionSomeExist = """
        {"Errors":[{"PartitionValues":["2024-05-01"],"ErrorDetail":{"ErrorCode":"AlreadyExistsException","ErrorMessage":"Partition already exists."}}]}
        """;

    public const string StartJobRun = """{"JobRunId":"jr_0123456789abcdef"}""";

    public static string GetJobRun(string state, string? error = null) => $$$"""
        {"JobRun":{"Id":"jr_0123456789abcdef","Attempt":0,"JobName":"ingest-glue-job","StartedOn":1764100000.25,"LastModifiedOn":1764100060,
        {{{(state is "SUCCEEDED" or "FAILED" ? "\"CompletedOn\":1764100120," : string.Empty)}}}"JobRunState":"{{{state}}}",
        {{{(error is null ? string.Empty : $"\"ErrorMessage\":\"{error}\",")}}}"ExecutionTime":120,"WorkerType":"G.1X","NumberOfWorkers":2,"GlueVersion":"5.0"}}
        """;

    public const string StartQueryExecution = """{"QueryExecutionId":"11111111-2222-3333-4444-555555555555"}""";

    public static string GetQueryExecution(string state, string? reason = null, int? errorCategory = null) => $$$"""
        {"QueryExecution":{"QueryExecutionId":"11111111-2222-3333-4444-555555555555","Query":"SELECT 1","StatementType":"DML",
        "ResultConfiguration":{"OutputLocation":"s3://results/11111111-2222-3333-4444-555555555555.csv"},
        "QueryExecutionContext":{"Database":"sales","Catalog":"AwsDataCatalog"},
        "Status":{"State":"{{{state}}}",{{{(reason is null ? string.Empty : $"\"StateChangeReason\":\"{reason}\",")}}}
        {{{(errorCategory is null ? string.Empty : $"\"AthenaError\":{{\"ErrorCategory\":{errorCategory},\"ErrorType\":1006,\"Retryable\":false,\"ErrorMessage\":\"{reason}\"}},")}}}
        "SubmissionDateTime":1764100000.123},
        "Statistics":{"EngineExecutionTimeInMillis":1234,"DataScannedInBytes":10485760,"TotalExecutionTimeInMillis":1500},
        "WorkGroup":"primary","ExecutionParameters":["'EUR'"]}}
        """;

    public const string GetQueryResultsPage1 = """
        {"ResultSet":{"Rows":[{"Data":[{"VarCharValue":"currency"},{"VarCharValue":"total"},{"VarCharValue":"day"},{"VarCharValue":"n"},{"VarCharValue":"ok"},{"VarCharValue":"at"}]},
        {"Data":[{"VarCharValue":"EUR"},{"VarCharValue":"12.50"},{"VarCharValue":"2024-05-01"},{"VarCharValue":"3"},{"VarCharValue":"true"},{"VarCharValue":"2024-05-01 10:00:00.123"}]}],
        "ResultSetMetadata":{"ColumnInfo":[
        {"CatalogName":"hive","Name":"currency","Label":"currency","Type":"varchar","Precision":2147483647,"Scale":0,"Nullable":"UNKNOWN","CaseSensitive":true},
        {"CatalogName":"hive","Name":"total","Label":"total","Type":"decimal","Precision":18,"Scale":2,"Nullable":"UNKNOWN","CaseSensitive":false},
        {"CatalogName":"hive","Name":"day","Label":"day","Type":"date","Precision":0,"Scale":0,"Nullable":"UNKNOWN","CaseSensitive":false},
        {"CatalogName":"hive","Name":"n","Label":"n","Type":"bigint","Precision":19,"Scale":0,"Nullable":"UNKNOWN","CaseSensitive":false},
        {"CatalogName":"hive","Name":"ok","Label":"ok","Type":"boolean","Precision":0,"Scale":0,"Nullable":"UNKNOWN","CaseSensitive":false},
        {"CatalogName":"hive","Name":"at","Label":"at","Type":"timestamp","Precision":3,"Scale":0,"Nullable":"UNKNOWN","CaseSensitive":false}]}},
        "UpdateCount":0,"NextToken":"page-2"}
        """;

    public const string GetQueryResultsPage2 = """
        {"ResultSet":{"Rows":[{"Data":[{"VarCharValue":"USD"},{},{"VarCharValue":"2024-05-02"},{"VarCharValue":"4"},{"VarCharValue":"false"},{}]}],
        "ResultSetMetadata":{"ColumnInfo":[
        {"Name":"currency","Type":"varchar"},{"Name":"total","Type":"decimal","Precision":18,"Scale":2},{"Name":"day","Type":"date"},
        {"Name":"n","Type":"bigint"},{"Name":"ok","Type":"boolean"},{"Name":"at","Type":"timestamp"}]}}}
        """;

    public const string StartExecution = """{"executionArn":"arn:aws:states:eu-central-1:123456789012:execution:ingest:run-1","startDate":1764100000.5}""";

    public static string DescribeExecution(string status, string? output = null, string? error = null, string? cause = null)
    {
        var body = new JsonObject
        {
            ["executionArn"] = "arn:aws:states:eu-central-1:123456789012:execution:ingest:run-1",
            ["stateMachineArn"] = "arn:aws:states:eu-central-1:123456789012:stateMachine:ingest",
            ["name"] = "run-1",
            ["status"] = status,
            ["startDate"] = 1764100000.5,
            ["input"] = """{"datasets":["sales.orders"]}""",
        };
        if (status != "RUNNING")
        {
            body["stopDate"] = 1764100300;
        }

        if (status == "SUCCEEDED")
        {
            body["output"] = output ?? """{"results":[]}""";
        }

        if (status == "FAILED")
        {
            body["error"] = error ?? "Ingest.RunsFailed";
            body["cause"] = cause ?? "one failed";
        }

        return body.ToJsonString();
    }
}
