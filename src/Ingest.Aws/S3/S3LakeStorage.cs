using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Ingest.Aws.Diagnostics;
using Ingest.Storage;
using Microsoft.Extensions.Logging;

namespace Ingest.Aws.S3;

/// <summary>
/// The lake in S3. Zones are buckets or prefixes of one bucket (<see cref="S3Zones"/>). Writes stream through multipart
/// uploads (<see cref="S3ObjectWriter"/>), reads are ranged GETs (<see cref="S3ReadStream"/>), promotion is copy-then-delete.
/// Every object is written with server-side encryption (SSE-KMS or SSE-S3), a CRC-32C checksum and, when configured,
/// the expected bucket owner. Keys pass <see cref="LakeKeys"/> before any request.
/// </summary>
internal sealed class S3LakeStorage : ILakeStorage
{
    /// <summary>The largest object a single CopyObject copies (5 GiB); larger ones are copied in parts.</summary>
    internal const long MaxSingleCopyBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>The part size of multipart copies.</summary>
    internal const long CopyPartBytes = 512L * 1024 * 1024;

    private readonly IAmazonS3 _s3;
    private readonly S3Zones _zones;
    private readonly S3Settings _settings;
    private readonly ILogger _logger;

    public S3LakeStorage(IAmazonS3 s3, S3Zones zones, S3Settings settings, ILogger logger)
    {
        _s3 = s3;
        _zones = zones;
        _settings = settings;
        _logger = logger;
    }

    internal IAmazonS3 Client => _s3;

    internal S3Settings Settings => _settings;

    internal ILogger Logger => _logger;

    public Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var (bucket, objectKey) = Locate(zone, key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<ILakeObjectWriter>(new S3ObjectWriter(this, bucket, objectKey));
    }

    public async Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var (bucket, objectKey) = Locate(zone, key);
        var head = await HeadAsync(bucket, objectKey, cancellationToken).ConfigureAwait(false)
            ?? throw new LakeObjectNotFoundException(zone, key);
        return new S3ReadStream(this, zone, key, bucket, objectKey, head.ContentLength, head.ETag);
    }

    public async Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var (bucket, objectKey) = Locate(zone, key);
        var head = await HeadAsync(bucket, objectKey, cancellationToken).ConfigureAwait(false);
        return head is null ? null : new LakeObject(zone, key, head.ContentLength, ToOffset(head.LastModified));
    }

    public IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        LakeKeys.EnsureValid(prefix, allowPrefix: true);
        var (bucket, zonePrefix) = _zones.Resolve(zone);
        return ListCoreAsync(zone, bucket, zonePrefix, prefix, cancellationToken);
    }

    public async Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var (bucket, objectKey) = Locate(zone, key);
        await DeleteObjectAsync("Deleting", bucket, objectKey, cancellationToken).ConfigureAwait(false);
    }

    public async Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default)
    {
        var (bucket, source) = Locate(zone, sourceKey);
        var (destinationBucket, destination) = Locate(zone, destinationKey);
        if (string.Equals(source, destination, StringComparison.Ordinal))
        {
            if (await HeadAsync(bucket, source, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new LakeObjectNotFoundException(zone, sourceKey);
            }

            return;
        }

        try
        {
            await _s3.CopyObjectAsync(CopyRequest(bucket, source, destinationBucket, destination), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound || ex.ErrorCode == "NoSuchKey")
        {
            // Roll-forward: an earlier promotion moved it already.
            if (await HeadAsync(destinationBucket, destination, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }

            throw new LakeObjectNotFoundException(zone, sourceKey);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "InvalidRequest" && ex.Message.Contains("copy source is larger", StringComparison.OrdinalIgnoreCase))
        {
            await CopyInPartsAsync(bucket, source, destinationBucket, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            throw AwsErrors.Wrap(ex, "Promoting", $"{Address(bucket, source)} to {Address(destinationBucket, destination)}");
        }

        await DeleteObjectAsync("Deleting the promoted source", bucket, source, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> AbortIncompleteWritesAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        LakeKeys.EnsureValid(prefix, allowPrefix: true);
        var (bucket, zonePrefix) = _zones.Resolve(zone);
        var request = new ListMultipartUploadsRequest { BucketName = bucket, Prefix = zonePrefix + prefix, ExpectedBucketOwner = _settings.ExpectedBucketOwner };
        var count = 0;
        while (true)
        {
            var page = await CallAsync("Listing incomplete uploads under", bucket, request.Prefix, ct => _s3.ListMultipartUploadsAsync(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                try
                {
                    await _s3.AbortMultipartUploadAsync(
                        new AbortMultipartUploadRequest { BucketName = bucket, Key = upload.Key, UploadId = upload.UploadId, ExpectedBucketOwner = _settings.ExpectedBucketOwner },
                        cancellationToken).ConfigureAwait(false);
                    count++;
                    Log.IncompleteUploadAborted(_logger, upload.UploadId, bucket, upload.Key);
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload")
                {
                    // Completed or aborted by someone else meanwhile.
                }
                catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
                {
                    throw AwsErrors.Wrap(ex, "Aborting the incomplete upload of", Address(bucket, upload.Key));
                }
            }

            if (page.IsTruncated != true)
            {
                return count;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    public string GetAddress(LakeZone zone, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        LakeKeys.EnsureValid(key, allowPrefix: true);
        var (bucket, prefix) = _zones.Resolve(zone);
        return Address(bucket, prefix + key);
    }

    internal static string Address(string bucket, string objectKey) => $"s3://{bucket}/{objectKey}";

    /// <summary>Runs one S3 call, turning SDK and transport failures into <see cref="IngestException"/>s naming the object.</summary>
    internal static async Task<T> CallAsync<T>(string action, string bucket, string objectKey, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            throw AwsErrors.Wrap(ex, action, Address(bucket, objectKey));
        }
    }

    internal void ApplyEncryption(PutObjectRequest request)
    {
        request.ServerSideEncryptionMethod = _settings.Encryption;
        request.ServerSideEncryptionKeyManagementServiceKeyId = _settings.KmsKeyId;
    }

    internal void ApplyEncryption(InitiateMultipartUploadRequest request)
    {
        request.ServerSideEncryptionMethod = _settings.Encryption;
        request.ServerSideEncryptionKeyManagementServiceKeyId = _settings.KmsKeyId;
    }

    private static DateTimeOffset ToOffset(DateTime? value)
        => value is { } v ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime()) : DateTimeOffset.UnixEpoch;

    private (string Bucket, string ObjectKey) Locate(LakeZone zone, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        LakeKeys.EnsureValid(key);
        var (bucket, prefix) = _zones.Resolve(zone);
        return (bucket, prefix + key);
    }

    private Task<DeleteObjectResponse> DeleteObjectAsync(string action, string bucket, string objectKey, CancellationToken cancellationToken)
        => CallAsync(
            action,
            bucket,
            objectKey,
            ct => _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = objectKey, ExpectedBucketOwner = _settings.ExpectedBucketOwner }, ct),
            cancellationToken);

    private async Task<GetObjectMetadataResponse?> HeadAsync(string bucket, string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return await _s3.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = bucket, Key = objectKey, ExpectedBucketOwner = _settings.ExpectedBucketOwner },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            throw AwsErrors.Wrap(ex, "Reading the metadata of", Address(bucket, objectKey));
        }
    }

    private async IAsyncEnumerable<LakeObject> ListCoreAsync(LakeZone zone, string bucket, string zonePrefix, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = zonePrefix + prefix, ExpectedBucketOwner = _settings.ExpectedBucketOwner };
        while (true)
        {
            var page = await CallAsync("Listing", bucket, request.Prefix, ct => _s3.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                // Folder markers and keys outside the lake's rules are not lake objects.
                var key = item.Key[zonePrefix.Length..];
                if (LakeKeys.IsValid(key))
                {
                    yield return new LakeObject(zone, key, item.Size ?? 0, ToOffset(item.LastModified));
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private CopyObjectRequest CopyRequest(string bucket, string source, string destinationBucket, string destination) => new()
    {
        SourceBucket = bucket,
        SourceKey = source,
        DestinationBucket = destinationBucket,
        DestinationKey = destination,
        MetadataDirective = S3MetadataDirective.COPY,
        ServerSideEncryptionMethod = _settings.Encryption,
        ServerSideEncryptionKeyManagementServiceKeyId = _settings.KmsKeyId,
        ExpectedBucketOwner = _settings.ExpectedBucketOwner,
        ExpectedSourceBucketOwner = _settings.ExpectedBucketOwner,
    };

    private async Task CopyInPartsAsync(string bucket, string source, string destinationBucket, string destination, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(bucket, source, cancellationToken).ConfigureAwait(false)
            ?? throw new IngestException($"{Address(bucket, source)} disappeared while it was being promoted.") { Location = Address(bucket, source) };
        var size = head.ContentLength;
        var initiate = new InitiateMultipartUploadRequest { BucketName = destinationBucket, Key = destination, ExpectedBucketOwner = _settings.ExpectedBucketOwner };
        ApplyEncryption(initiate);
        var upload = await CallAsync("Starting the multipart copy to", destinationBucket, destination, ct => _s3.InitiateMultipartUploadAsync(initiate, ct), cancellationToken).ConfigureAwait(false);
        var completed = false;
        try
        {
            var parts = new List<PartETag>();
            var partCount = (int)((size + CopyPartBytes - 1) / CopyPartBytes);
            Log.MultipartCopy(_logger, bucket, source, partCount);
            for (var i = 0; i < partCount; i++)
            {
                var first = i * CopyPartBytes;
                var last = Math.Min(size, first + CopyPartBytes) - 1;
                var request = new CopyPartRequest
                {
                    SourceBucket = bucket,
                    SourceKey = source,
                    DestinationBucket = destinationBucket,
                    DestinationKey = destination,
                    UploadId = upload.UploadId,
                    PartNumber = i + 1,
                    FirstByte = first,
                    LastByte = last,
                    ETagToMatch = [head.ETag],
                    ExpectedBucketOwner = _settings.ExpectedBucketOwner,
                    ExpectedSourceBucketOwner = _settings.ExpectedBucketOwner,
                };
                var part = await CallAsync("Copying a part to", destinationBucket, destination, ct => _s3.CopyPartAsync(request, ct), cancellationToken).ConfigureAwait(false);
                parts.Add(new PartETag(i + 1, part.ETag));
            }

            await CallAsync(
                "Completing the multipart copy to",
                destinationBucket,
                destination,
                ct => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = destinationBucket, Key = destination, UploadId = upload.UploadId, PartETags = parts, ExpectedBucketOwner = _settings.ExpectedBucketOwner }, ct),
                cancellationToken).ConfigureAwait(false);
            completed = true;
        }
        finally
        {
            if (!completed)
            {
                await S3ObjectWriter.TryAbortAsync(this, destinationBucket, destination, upload.UploadId).ConfigureAwait(false);
            }
        }
    }
}
