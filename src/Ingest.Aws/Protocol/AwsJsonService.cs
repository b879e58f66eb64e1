namespace Ingest.Aws.Protocol;

/// <summary>A service spoken to with the AWS JSON 1.1 protocol, as its API model's metadata names it.</summary>
/// <param name="SigningName">The SigV4 service name and endpoint prefix (<c>glue</c>, <c>athena</c>, <c>states</c>, <c>logs</c>).</param>
/// <param name="TargetPrefix">The <c>X-Amz-Target</c> prefix (<c>AWSGlue</c>, <c>AmazonAthena</c>, <c>AWSStepFunctions</c>, <c>Logs_20140328</c>).</param>
internal sealed record AwsJsonService(string SigningName, string TargetPrefix)
{
    public static AwsJsonService Glue { get; } = new("glue", "AWSGlue");

    public static AwsJsonService Athena { get; } = new("athena", "AmazonAthena");

    public static AwsJsonService StepFunctions { get; } = new("states", "AWSStepFunctions");

    public static AwsJsonService CloudWatchLogs { get; } = new("logs", "Logs_20140328");
}
