using Amazon.Runtime;
using Ingest.Aws.Protocol;

namespace Ingest.Aws.Tests.Protocol;

/// <summary>The hand-written AWS JSON clients pointed at a <see cref="LoopbackAwsServer"/> (the server itself lives in tests/Shared).</summary>
internal static class LoopbackClients
{
    public static AwsJsonClient Client(this LoopbackAwsServer server, AwsJsonService service, int maxErrorRetries = 3, TimeProvider? timeProvider = null, AWSCredentials? credentials = null, string region = "eu-central-1")
        => new(service, new AwsJsonClientSettings
        {
            Credentials = credentials ?? LoopbackAwsServer.Credentials,
            Region = region,
            Endpoint = new Uri(server.Url),
            MaxErrorRetries = maxErrorRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromMilliseconds(50),
            TimeProvider = timeProvider ?? TimeProvider.System,
            HttpClient = server.Http,
        });
}
