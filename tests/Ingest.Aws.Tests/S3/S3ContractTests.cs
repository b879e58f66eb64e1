using Ingest.Aws.Tests.Infrastructure;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Aws.Tests.S3;

/// <summary>The lake storage suite against S3 (s3rver), zones in buckets of their own.</summary>
[Collection(AwsCollection.Name)]
public sealed class S3LakeStorageContractTests(AwsServers servers) : LakeStorageContractTests
{
    protected override Task<ILakeStorage> CreateStorageAsync() => Task.FromResult(AwsIngest.CreateBackends(servers.Options()).Lake);
}

/// <summary>The lake storage suite against S3 (s3rver), zones as prefixes of one bucket.</summary>
[Collection(AwsCollection.Name)]
public sealed class S3PrefixZonesContractTests(AwsServers servers) : LakeStorageContractTests
{
    protected override Task<ILakeStorage> CreateStorageAsync()
    {
        var options = servers.Options();
        options.ZoneBuckets.Clear();
        options.Bucket = AwsServers.LakeBucket;
        return Task.FromResult(AwsIngest.CreateBackends(options).Lake);
    }
}
