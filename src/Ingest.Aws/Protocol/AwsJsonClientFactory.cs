using Amazon;
using Amazon.Runtime;
using Ingest.Aws.Credentials;

namespace Ingest.Aws.Protocol;

/// <summary>Builds <see cref="AwsJsonClient"/>s from <see cref="AwsIngestOptions"/>: credentials, region and endpoint as the SDK resolves them.</summary>
internal static class AwsJsonClientFactory
{
    /// <summary>Creates a client; the credentials of the default chain are looked up on the first request, not here.</summary>
    /// <exception cref="ArgumentException">The options are invalid, the profile is missing, or no region is known.</exception>
    public static AwsJsonClient Create(AwsIngestOptions options, AwsJsonService service, string? serviceUrl, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (credentials, profileRegion) = AwsCredentialResolver.ResolveOrDefault(options);
        var region = options.Region ?? profileRegion ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        Uri endpoint;
        if (serviceUrl is not null)
        {
            endpoint = new Uri(serviceUrl, UriKind.Absolute);
            region ??= "us-east-1";
        }
        else
        {
            if (region is null)
            {
                throw new ArgumentException($"AwsIngestOptions.Region is required to reach {service.SigningName}: set it, AWS_REGION, or the profile's region.", nameof(options));
            }

            endpoint = new Uri($"https://{service.SigningName}.{region}.{RegionEndpoint.GetBySystemName(region).PartitionDnsSuffix}/");
        }

        return new AwsJsonClient(service, new AwsJsonClientSettings
        {
            Credentials = credentials,
            Region = region,
            Endpoint = endpoint,
            MaxErrorRetries = options.MaxErrorRetries,
            TimeProvider = timeProvider ?? TimeProvider.System,
        });
    }
}
