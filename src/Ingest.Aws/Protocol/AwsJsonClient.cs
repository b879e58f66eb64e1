using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace Ingest.Aws.Protocol;

/// <summary>How an <see cref="AwsJsonClient"/> reaches its service.</summary>
internal sealed record AwsJsonClientSettings
{
    /// <summary>Gets the credentials; resolved (and refreshed) by the SDK on each request.</summary>
    public required AWSCredentials Credentials { get; init; }

    /// <summary>Gets the region requests are signed for.</summary>
    public required string Region { get; init; }

    /// <summary>Gets the endpoint: the region's endpoint of the service, or a local server.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>Gets how often a transient failure is retried.</summary>
    public int MaxErrorRetries { get; init; } = 5;

    /// <summary>Gets the first retry's delay before jitter; it doubles with each retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets the longest delay between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets the clock for signing and delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the HTTP client; a shared one when <see langword="null"/>.</summary>
    public HttpClient? HttpClient { get; init; }
}

/// <summary>
/// A client of one AWS service that speaks the AWS JSON protocol: <c>POST /</c> with <c>X-Amz-Target: {prefix}.{operation}</c>
/// and <c>Content-Type: application/x-amz-json-1.1</c> (1.0 for Step Functions), signed with SigV4 (the SDK's <see cref="AWS4Signer"/>); errors become
/// <see cref="AwsServiceException"/>s; throttling and server errors are retried with jittered exponential backoff.
/// </summary>
/// <remarks>
/// Operations that start work without an idempotency token (Glue <c>StartJobRun</c>) pass <c>idempotent: false</c>: they are
/// retried only when the service refused them before doing anything (throttling), never after a 5xx or a broken connection.
/// </remarks>
internal sealed class AwsJsonClient
{
    private static readonly HttpClient SharedHttpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(100),
    };

    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
        "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException", "SlowDown",
    };

    private static readonly HashSet<string> ServerCodes = new(StringComparer.Ordinal)
    {
        "InternalFailure", "InternalError", "InternalServiceException", "InternalServerException", "InternalServerError",
        "ServiceUnavailable", "ServiceUnavailableException", "OperationTimeoutException", "RequestTimeout", "RequestTimeoutException",
    };

    private readonly AwsJsonService _service;
    private readonly AwsJsonClientSettings _settings;
    private readonly HttpClient _http;

    public AwsJsonClient(AwsJsonService service, AwsJsonClientSettings settings)
    {
        _service = service;
        _settings = settings;
        _http = settings.HttpClient ?? SharedHttpClient;
    }

    public AwsJsonService Service => _service;

    public Uri Endpoint => _settings.Endpoint;

    /// <summary>Sends one operation and returns the response body (an empty object when the body is empty).</summary>
    /// <exception cref="AwsServiceException">The service answered with an error (after retries when transient).</exception>
    /// <exception cref="IngestException">The service could not be reached (transient).</exception>
    public async Task<JsonObject> SendAsync(string operation, JsonObject body, bool idempotent = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentNullException.ThrowIfNull(body);
        var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = attempt < _settings.MaxErrorRetries;
            HttpResponseMessage response;
            using (var request = await CreateRequestAsync(operation, payload, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    if (idempotent && canRetry)
                    {
                        await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    throw new IngestException($"{_service.SigningName} {operation} failed: {_settings.Endpoint} could not be reached ({ex.Message}). The failure is transient: retry later.", ex)
                    {
                        Location = _settings.Endpoint.ToString(),
                        IsTransient = true,
                    };
                }
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return Parse(operation, text);
                }

                var error = CreateError(operation, response, text);
                var throttled = response.StatusCode == HttpStatusCode.TooManyRequests || ThrottlingCodes.Contains(error.ErrorCode);
                if (!error.IsTransient || !canRetry || !(idempotent || throttled))
                {
                    throw error;
                }

                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether an error code (or status) is one a retry may cure: throttling or a server-side failure.</summary>
    public static bool IsTransient(string errorCode, int statusCode)
        => statusCode is 429 or >= 500 || ThrottlingCodes.Contains(errorCode) || ServerCodes.Contains(errorCode);

    private async Task<HttpRequestMessage> CreateRequestAsync(string operation, byte[] payload, CancellationToken cancellationToken)
    {
        var credentials = await _settings.Credentials.GetCredentialsAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var endpoint = _settings.Endpoint;
        var signedAt = _settings.TimeProvider.GetUtcNow().UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = $"{_service.TargetPrefix}.{operation}";
        var host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Authority;

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = _service.ContentType,
            ["host"] = host,
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = target,
        };
        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = new StringBuilder()
            .Append("POST\n")
            .Append(CanonicalPath(endpoint)).Append('\n')
            .Append('\n')
            .Append(string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(Convert.ToHexStringLower(SHA256.HashData(payload)))
            .ToString();
        var signature = AWS4Signer.ComputeSignature(credentials, _settings.Region, signedAt, _service.SigningName, signedHeaders, canonicalRequest);

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(payload),
            Version = HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(_service.ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.UseToken)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return request;
    }

    private static string CanonicalPath(Uri endpoint) => endpoint.AbsolutePath.Length == 0 ? "/" : endpoint.AbsolutePath;

    private JsonObject Parse(string operation, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new IngestException($"{_service.SigningName} {operation} answered with JSON that is not an object.");
        }
        catch (JsonException ex)
        {
            throw new IngestException($"{_service.SigningName} {operation} answered with a body that is not JSON: {ex.Message}", ex);
        }
    }

    private AwsServiceException CreateError(string operation, HttpResponseMessage response, string text)
    {
        string? type = null;
        string? message = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(text) && JsonNode.Parse(text) is JsonObject body)
            {
                type = body["__type"]?.GetValue<string>() ?? body["code"]?.GetValue<string>();
                message = (body["message"] ?? body["Message"] ?? body["errorMessage"])?.GetValue<string>();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            message = text.Length > 300 ? text[..300] : text;
        }

        if (type is null && response.Headers.TryGetValues("X-Amzn-ErrorType", out var errorTypes))
        {
            type = errorTypes.FirstOrDefault();
        }

        var code = ErrorCode(type) ?? (response.StatusCode == HttpStatusCode.TooManyRequests ? "ThrottlingException" : "Http" + (int)response.StatusCode);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault()
            : response.Headers.TryGetValues("x-amz-request-id", out var ids2) ? ids2.FirstOrDefault() : null;
        var status = (int)response.StatusCode;
        var transient = IsTransient(code, status);
        var text2 = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{_service.SigningName} {operation} failed: {code} ({status})")
            .Append(message is null ? "." : $": {message.TrimEnd('.')}.")
            .Append(requestId is null ? string.Empty : $" Request id {requestId}.")
            .Append(transient ? " The failure is transient: retry later." : string.Empty)
            .ToString();
        return new AwsServiceException(text2, _service.SigningName, operation, code, status, requestId)
        {
            IsTransient = transient,
            Location = _settings.Endpoint.ToString(),
        };
    }

    /// <summary>The code of <c>com.amazonaws.glue#EntityNotFoundException</c> or <c>EntityNotFoundException:http://…</c>.</summary>
    internal static string? ErrorCode(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        var code = type;
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        return hash >= 0 ? code[(hash + 1)..] : code;
    }

    private Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(_settings.MaxRetryDelay.TotalMilliseconds, _settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        var delay = TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
        return Task.Delay(delay, _settings.TimeProvider, cancellationToken);
    }
}
