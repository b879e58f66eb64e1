using Ingest.Storage;

namespace Ingest.Aws.S3;

/// <summary>Where each zone lives: a bucket and a key prefix (empty when the zone has a bucket of its own).</summary>
internal sealed class S3Zones
{
    private readonly AwsIngestOptions _options;

    public S3Zones(AwsIngestOptions options)
    {
        _options = options;
    }

    /// <summary>Returns the bucket and prefix of a zone.</summary>
    /// <exception cref="ArgumentException">The zone has no bucket.</exception>
    public (string Bucket, string Prefix) Resolve(LakeZone zone)
    {
        if (string.IsNullOrEmpty(zone.Name))
        {
            throw new ArgumentException("The zone has no name.", nameof(zone));
        }

        if (_options.ZoneBuckets.TryGetValue(zone.Name, out var own))
        {
            return (own, string.Empty);
        }

        if (_options.Bucket is { } shared)
        {
            return (shared, _options.ZonePrefixes.TryGetValue(zone.Name, out var prefix) ? prefix : zone.Name + "/");
        }

        throw new ArgumentException($"Zone '{zone.Name}' has no bucket: add it to AwsIngestOptions.ZoneBuckets or set AwsIngestOptions.Bucket.", nameof(zone));
    }

    /// <summary>Every distinct bucket the options name: the shared one and those of the zones.</summary>
    public IEnumerable<string> Buckets()
        => LakeZone.All.Select(z => Resolve(z).Bucket)
            .Concat(_options.Bucket is { } shared ? [shared] : [])
            .Concat(_options.ZoneBuckets.Values)
            .Distinct(StringComparer.Ordinal);
}
