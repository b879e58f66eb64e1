using Microsoft.Extensions.Logging;

namespace Ingest.Aws.Diagnostics;

/// <summary>Source-generated log messages of the AWS backends. Event ids: 3000–3019 S3, 3020–3039 DynamoDB.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Warning, "Could not abort the multipart upload {UploadId} of s3://{Bucket}/{ObjectKey}; the next run's cleanup removes it: {Error}")]
    public static partial void AbortFailed(ILogger logger, Exception exception, string uploadId, string bucket, string objectKey, string error);

    [LoggerMessage(3001, LogLevel.Debug, "Aborted the incomplete multipart upload {UploadId} of s3://{Bucket}/{ObjectKey}")]
    public static partial void IncompleteUploadAborted(ILogger logger, string uploadId, string bucket, string objectKey);

    [LoggerMessage(3002, LogLevel.Debug, "s3://{Bucket}/{ObjectKey} is larger than a single copy allows; copying it in {PartCount} parts")]
    public static partial void MultipartCopy(ILogger logger, string bucket, string objectKey, int partCount);

    [LoggerMessage(3020, LogLevel.Debug, "Repaired the definition item {Dataset} v{Version} from the latest pointer (a writer stopped between its two writes)")]
    public static partial void DefinitionRepaired(ILogger logger, string dataset, int version);

    [LoggerMessage(3021, LogLevel.Debug, "Source {Sha256} of {Dataset} was recorded by run {RunId}, which never succeeded; run {NewRunId} takes it over")]
    public static partial void SourceTakenOver(ILogger logger, string sha256, string dataset, string runId, string newRunId);

    [LoggerMessage(3022, LogLevel.Information, "Created {Resource} {Name}")]
    public static partial void ResourceCreated(ILogger logger, string resource, string name);
}
