using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Ingest.Aws.Credentials;

namespace Ingest.Aws;

/// <summary>Turns AWS SDK and transport failures into <see cref="IngestException"/>s that say what failed and whether a retry may help.</summary>
internal static class AwsErrors
{
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "RequestThrottled",
        "ProvisionedThroughputExceededException", "RequestTimeout", "RequestTimeoutException", "InternalError",
        "InternalServerError", "ServiceUnavailable", "TransactionConflictException", "LimitExceededException",
    };

    /// <summary>Whether <paramref name="exception"/> is one this class wraps (SDK, HTTP or socket failures), not a caller's cancellation.</summary>
    public static bool IsAwsFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Whether retrying later may succeed: throttling, 5xx, timeouts and broken connections.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        AwsCredentialsException => false,
        AmazonServiceException service => service.StatusCode is HttpStatusCode.TooManyRequests || (int)service.StatusCode >= 500
            || (service.ErrorCode is { } code && TransientCodes.Contains(code))
            || (service.StatusCode == 0 && service.InnerException is not null && IsTransient(service.InnerException)),
        AmazonClientException client => client.InnerException is null || IsTransient(client.InnerException),
        HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>Wraps a failure: <c>{action} failed: {cause}</c>, with the location and <see cref="IngestException.IsTransient"/>.</summary>
    public static IngestException Wrap(Exception exception, string action, string location)
    {
        var transient = IsTransient(exception);
        var cause = exception is AmazonServiceException { ErrorCode: { } code } service
            ? $"{code} ({(int)service.StatusCode}): {service.Message}"
            : exception.Message;
        var advice = transient ? " The failure is transient: retry later." : string.Empty;
        return new IngestException($"{action} {location} failed: {cause.TrimEnd('.')}.{advice}", exception)
        {
            Location = location,
            IsTransient = transient,
        };
    }
}
