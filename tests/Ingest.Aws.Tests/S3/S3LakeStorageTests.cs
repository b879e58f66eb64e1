using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Ingest.Aws.S3;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Storage;

namespace Ingest.Aws.Tests.S3;

[Collection(AwsCollection.Name)]
public sealed class S3LakeStorageTests(AwsServers servers)
{
    private const int Part = (int)AwsIngestOptions.MinPartSizeBytes;
    private readonly string _prefix = "s3t" + Guid.NewGuid().ToString("N")[..12] + "/";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CompleteAsync_SeveralParts_ObjectHasExactBytes_AndNoUploadRemains(bool emulatorCompatibility)
    {
        // emulatorCompatibility false sends what AWS gets: CRC-32C checksums on every part and SSE headers.
        var options = servers.Options();
        options.EmulatorCompatibility = emulatorCompatibility;
        var lake = AwsIngest.CreateBackends(options).Lake;
        var key = _prefix + "big.bin";
        var bytes = RandomNumberGenerator.GetBytes((2 * Part) + 1_234_567);

        await using (var writer = await lake.OpenWriteAsync(LakeZone.Curated, key))
        {
            // Odd-sized writes, sync and async, so that parts fill across write boundaries.
            var offset = 0;
            var sizes = new[] { 1, 70_000, 3_000_001, 17, 999_999 };
            for (var i = 0; offset < bytes.Length; i++)
            {
                var count = Math.Min(sizes[i % sizes.Length], bytes.Length - offset);
                if (i % 2 == 0)
                {
                    await writer.Stream.WriteAsync(bytes.AsMemory(offset, count));
                }
                else
                {
                    writer.Stream.Write(bytes, offset, count);
                }

                offset += count;
            }

            await writer.CompleteAsync();
            ((S3ObjectWriter)writer).PartsUploaded.Should().Be(3);
        }

        (await lake.GetAsync(LakeZone.Curated, key))!.Size.Should().Be(bytes.Length);
        (await ReadAllAsync(lake, key)).Should().Equal(bytes);
        (await UploadsAsync(AwsServers.CuratedBucket, _prefix)).Should().BeEmpty();
    }

    [Fact]
    public async Task CompleteAsync_MorePartsThanTravelAtOnce_KeepsThePartsInOrder()
    {
        var lake = AwsIngest.CreateBackends(servers.Options()).Lake;
        var key = _prefix + "many-parts.bin";
        var parts = (2 * S3ObjectWriter.MaxPartsInFlight) + 1;
        var bytes = RandomNumberGenerator.GetBytes(((parts - 1) * Part) + 4_321);

        await using (var writer = await lake.OpenWriteAsync(LakeZone.Curated, key))
        {
            // One write per part and a large one across several: the writer waits for the oldest part while others travel.
            await writer.Stream.WriteAsync(bytes.AsMemory(0, Part));
            await writer.Stream.WriteAsync(bytes.AsMemory(Part, 4 * Part));
            await writer.Stream.WriteAsync(bytes.AsMemory(5 * Part));
            await writer.CompleteAsync();
            ((S3ObjectWriter)writer).PartsUploaded.Should().Be(parts);
        }

        (await ReadAllAsync(lake, key)).Should().Equal(bytes);
        (await UploadsAsync(AwsServers.CuratedBucket, _prefix)).Should().BeEmpty();
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_AbortsTheMultipartUpload()
    {
        var lake = AwsIngest.CreateBackends(servers.Options()).Lake;
        var key = _prefix + "aborted.bin";

        await using (var writer = await lake.OpenWriteAsync(LakeZone.Curated, key))
        {
            await writer.Stream.WriteAsync(RandomNumberGenerator.GetBytes(Part + 10));
            await writer.Stream.WriteAsync(new byte[10]);

            (await UploadsAsync(AwsServers.CuratedBucket, _prefix)).Select(u => u.Key).Should().Equal([key], "a full part started a multipart upload");
        }

        (await UploadsAsync(AwsServers.CuratedBucket, _prefix)).Should().BeEmpty("disposing without completing aborts the upload");
        (await lake.GetAsync(LakeZone.Curated, key)).Should().BeNull();
    }

    [Fact]
    public async Task AbortIncompleteWritesAsync_AbandonedMultipartWriter_RemovesItsUploadOnly()
    {
        var lake = AwsIngest.CreateBackends(servers.Options()).Lake;
        var abandoned = await lake.OpenWriteAsync(LakeZone.Raw, _prefix + "run-1/big.csv");
        await abandoned.Stream.WriteAsync(RandomNumberGenerator.GetBytes(Part + 1));
        var other = await lake.OpenWriteAsync(LakeZone.Raw, _prefix + "run-2/big.csv");
        await other.Stream.WriteAsync(RandomNumberGenerator.GetBytes(Part + 1));

        var removed = await lake.AbortIncompleteWritesAsync(LakeZone.Raw, _prefix + "run-1/");

        removed.Should().Be(1);
        (await UploadsAsync(AwsServers.RawBucket, _prefix)).Select(u => u.Key).Should().Equal(_prefix + "run-2/big.csv");
        (await lake.AbortIncompleteWritesAsync(LakeZone.Raw, _prefix)).Should().Be(1);
        (await UploadsAsync(AwsServers.RawBucket, _prefix)).Should().BeEmpty();
        await abandoned.DisposeAsync();
        await other.DisposeAsync();
    }

    [Fact]
    public async Task OpenReadAsync_SeeksLikeAParquetReader_ReturnsTheRightBytes()
    {
        var lake = AwsIngest.CreateBackends(servers.Options()).Lake;
        var key = _prefix + "seek.bin";
        var bytes = RandomNumberGenerator.GetBytes(3_000_000);
        await using (var writer = await lake.OpenWriteAsync(LakeZone.Curated, key))
        {
            await writer.Stream.WriteAsync(bytes);
            await writer.CompleteAsync();
        }

        await using var stream = await lake.OpenReadAsync(LakeZone.Curated, key);
        stream.Length.Should().Be(bytes.Length);
        foreach (var (position, count) in new[] { (bytes.Length - 8, 8), (2_000_000, 100_000), (2_150_000, 10), (5, 1_000_000), (0, 3) })
        {
            stream.Seek(position, SeekOrigin.Begin);
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer);
            buffer.Should().Equal(bytes.AsSpan(position, count).ToArray(), $"bytes {position}..{position + count}");
        }

        stream.Seek(-1, SeekOrigin.End);
        stream.ReadByte().Should().Be(bytes[^1]);
        stream.ReadByte().Should().Be(-1);
    }

    [Fact]
    public void GetAddress_NamesBucketAndZonePrefix()
    {
        var zoneBuckets = AwsIngest.CreateBackends(servers.Options()).Lake;
        var shared = servers.Options();
        shared.ZoneBuckets.Clear();
        shared.Bucket = AwsServers.LakeBucket;
        shared.ZonePrefixes["curated"] = "lake/curated/";

        zoneBuckets.GetAddress(LakeZone.Raw, "sales/orders/x.csv").Should().Be("s3://ingest-raw/sales/orders/x.csv");
        AwsIngest.CreateBackends(shared).Lake.GetAddress(LakeZone.Curated, "sales/orders/").Should().Be("s3://ingest-lake/lake/curated/sales/orders/");
        AwsIngest.CreateBackends(shared).Lake.GetAddress(LakeZone.Quarantine, "a.parquet").Should().Be("s3://ingest-lake/quarantine/a.parquet");
    }

    [Fact]
    public async Task Operations_ServerDown_ThrowTransientIngestException()
    {
        servers.EnsureRunning();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = servers.Options($"http://127.0.0.1:{closedPort}");
        options.MaxErrorRetries = 1;
        var lake = AwsIngest.CreateBackends(options).Lake;

        var error = (await FluentActions.Awaiting(() => lake.GetAsync(LakeZone.Raw, "a/b.csv")).Should().ThrowAsync<IngestException>()).Which;

        error.IsTransient.Should().BeTrue();
        error.Message.Should().Contain("s3://ingest-raw/a/b.csv");
        error.InnerException.Should().NotBeNull();
    }

    [Fact]
    public void Crc32C_KnownVectors()
    {
        Crc32C.Compute("123456789"u8).Should().Be(0xE3069283);
        Crc32C.Compute([]).Should().Be(0);
        Crc32C.ToBase64("hello world"u8).Should().Be(Convert.ToBase64String([0xC9, 0x94, 0x65, 0xAA]));
    }

    private async Task<List<MultipartUpload>> UploadsAsync(string bucket, string prefix)
    {
        using var s3 = AwsIngest.CreateClients(servers.Options()).S3;
        var response = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = prefix });
        return response.MultipartUploads ?? [];
    }

    private static async Task<byte[]> ReadAllAsync(ILakeStorage lake, string key)
    {
        await using var stream = await lake.OpenReadAsync(LakeZone.Curated, key);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
