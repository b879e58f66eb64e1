namespace Ingest.Aws;

/// <summary>
/// An AWS service answered a request with an error: the service, operation, AWS error code, HTTP status and request id
/// say which; <see cref="IngestException.IsTransient"/> is set for throttling and server errors (retried already, up to
/// <see cref="AwsIngestOptions.MaxErrorRetries"/> times, before this is thrown).
/// </summary>
public sealed class AwsServiceException : IngestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="service">The service, such as <c>glue</c>.</param>
    /// <param name="operation">The operation, such as <c>GetTable</c>.</param>
    /// <param name="errorCode">The AWS error code without namespace, such as <c>EntityNotFoundException</c>.</param>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="requestId">The request id AWS assigned (<c>x-amzn-RequestId</c>), when it sent one.</param>
    internal AwsServiceException(string message, string service, string operation, string errorCode, int statusCode, string? requestId)
        : base(message)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>Gets the service (its signing name, such as <c>glue</c>, <c>athena</c>, <c>states</c>).</summary>
    public string Service { get; }

    /// <summary>Gets the operation that failed.</summary>
    public string Operation { get; }

    /// <summary>Gets the AWS error code, such as <c>EntityNotFoundException</c> or <c>ThrottlingException</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>Gets the HTTP status code of the answer.</summary>
    public int StatusCode { get; }

    /// <summary>Gets the request id to quote to AWS support, when the service sent one.</summary>
    public string? RequestId { get; }
}
