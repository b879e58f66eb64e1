using System.Collections.Concurrent;
using Amazon.Runtime;
using Ingest.Diagnostics;

namespace Ingest.Aws;

/// <summary>
/// Gives the S3 and DynamoDB clients an <see cref="HttpClient"/> that counts the SDK's retries in the run's counters
/// (<c>aws.retries</c>, <c>aws.s3.retries</c>, <c>aws.dynamodb.retries</c>). The SDK sends the same
/// <c>amz-sdk-invocation-id</c> header on every attempt of one call, so a second request with an id already seen
/// is a retry.
/// </summary>
internal sealed class RetryCountingHttpClientFactory(string service) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
        var client = new HttpClient(new RetryCountingHandler(service) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } });
        client.Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100);
        return client;
    }

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => "ingest-retry-counting-" + service;

    private sealed class RetryCountingHandler(string service) : DelegatingHandler
    {
        private const int Remembered = 4096;
        private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _order = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues("amz-sdk-invocation-id", out var values) && values.FirstOrDefault() is { } id)
            {
                if (_seen.TryAdd(id, 0))
                {
                    _order.Enqueue(id);
                    while (_order.Count > Remembered && _order.TryDequeue(out var old))
                    {
                        _seen.TryRemove(old, out _);
                    }
                }
                else
                {
                    IngestRunCounters.Increment("aws.retries");
                    IngestRunCounters.Increment($"aws.{service}.retries");
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
