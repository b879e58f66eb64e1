namespace Ingest.Aws.Protocol;

/// <summary>A service spoken to with the AWS JSON protocol, as its API model's metadata names it.</summary>
/// <param name="SigningName">The SigV4 service name and endpoint prefix (<c>glue</c>, <c>athena</c>, <c>states</c>, <c>logs</c>).</param>
/// <param name="TargetPrefix">The <c>X-Amz-Target</c> prefix (<c>AWSGlue</c>, <c>AmazonAthena</c>, <c>AWSStepFunctions</c>, <c>Logs_20140328</c>).</param>
/// <param name="JsonVersion">The model's <c>jsonVersion</c>: <c>1.1</c>, or <c>1.0</c> for Step Functions; the content type is <c>application/x-amz-json-{version}</c>.</param>
internal sealed record AwsJsonService(string SigningName, string TargetPrefix, string JsonVersion = "1.1")
{
    public static AwsJsonService Glue { get; } = new("glue", "AWSGlue");

    public static AwsJsonService Athena { get; } = new("athena", "AmazonAthena");

    public static AwsJsonService StepFunctions { get; } = new("states", "AWSStepFunctions", "1.0");

    public string ContentType => "application/x-amz-json-" + JsonVersion;

    public static AwsJsonService CloudWatchLogs { get; } = new("logs", "Logs_20140328");
}
