using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Ingest.Aws.Diagnostics;
using Ingest.Storage;

namespace Ingest.Aws.S3;

/// <summary>
/// Streams an object into S3. Bytes collect in a part buffer (grown on demand, so small objects stay small); a full
/// part is uploaded in the background while the next one fills, up to <see cref="MaxPartsInFlight"/> parts at once (a
/// single upload stream does not fill the link; the SDK's own multipart upload sends four), and a writer that fills a
/// part while that many are travelling waits for the oldest, so at most <see cref="MaxPartsInFlight"/> + 1 parts are in memory. An object smaller than one part is written with a
/// single PUT on <see cref="CompleteAsync"/>; a larger one is a multipart upload completed there. Disposing without
/// completing aborts the upload, so no object and no parts remain (a killed process leaves an incomplete upload that
/// <see cref="ILakeStorage.AbortIncompleteWritesAsync"/> removes).
/// </summary>
internal sealed class S3ObjectWriter : ILakeObjectWriter
{
    /// <summary>The number of parts of one object uploaded at the same time.</summary>
    internal const int MaxPartsInFlight = 3;

    private const int InitialBufferBytes = 64 * 1024;

    private readonly S3LakeStorage _lake;
    private readonly string _bucket;
    private readonly string _key;
    private readonly int _partSize;
    private readonly List<PartETag> _parts = [];
    private readonly WriteStream _stream;
    private byte[] _buffer = [];
    private int _length;
    private readonly Queue<(Task Upload, byte[] Buffer)> _inflight = new();
    private readonly Stack<byte[]> _spares = new();
    private int _partsStarted;
    private string? _uploadId;
    private bool _completed;
    private bool _disposed;

    public S3ObjectWriter(S3LakeStorage lake, string bucket, string key)
    {
        _lake = lake;
        _bucket = bucket;
        _key = key;
        _partSize = (int)Math.Min(lake.Settings.PartSizeBytes, Array.MaxLength);
        _stream = new WriteStream(this);
    }

    public Stream Stream => _stream;

    /// <summary>Gets the number of parts uploaded so far (for tests and diagnostics).</summary>
    internal int PartsUploaded
    {
        get
        {
            lock (_parts)
            {
                return _parts.Count;
            }
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"The write of {S3LakeStorage.Address(_bucket, _key)} is already complete.");
        }

        if (_uploadId is null)
        {
            await PutSingleAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (_length > 0)
            {
                await StartPartAsync(cancellationToken).ConfigureAwait(false);
            }

            await WaitInflightAsync().ConfigureAwait(false);
            var request = new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = _key,
                UploadId = _uploadId,
                PartETags = [.. _parts.OrderBy(p => p.PartNumber)], // every part ended in WaitInflightAsync above
                ExpectedBucketOwner = _lake.Settings.ExpectedBucketOwner,
            };
            await S3LakeStorage.CallAsync("Completing the upload of", _bucket, _key, ct => _lake.Client.CompleteMultipartUploadAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }

        _completed = true;
        ReleaseBuffers();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_completed)
        {
            try
            {
                await WaitInflightAsync().ConfigureAwait(false);
            }
            catch (IngestException)
            {
                // The part failed; the upload is aborted below either way.
            }

            if (_uploadId is not null)
            {
                await TryAbortAsync(_lake, _bucket, _key, _uploadId).ConfigureAwait(false);
            }
        }

        ReleaseBuffers();
    }

    /// <summary>Aborts a multipart upload, logging instead of throwing: a cleanup that fails is retried by the next run.</summary>
    internal static async Task TryAbortAsync(S3LakeStorage lake, string bucket, string key, string uploadId)
    {
        try
        {
            await lake.Client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, ExpectedBucketOwner = lake.Settings.ExpectedBucketOwner },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload")
        {
            // Already gone.
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, CancellationToken.None))
        {
            Log.AbortFailed(lake.Logger, ex, uploadId, bucket, key, ex.Message);
        }
    }

    private void Append(ReadOnlySpan<byte> data, out bool full)
    {
        EnsureWritable();
        var room = _partSize - _length;
        var take = Math.Min(room, data.Length);
        if (_length + take > _buffer.Length)
        {
            Grow(_length + take);
        }

        data[..take].CopyTo(_buffer.AsSpan(_length));
        _length += take;
        full = _length == _partSize;
    }

    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var before = _length;
            Append(data.Span, out var full);
            data = data[(_length - before)..];
            if (full)
            {
                await StartPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"The write of {S3LakeStorage.Address(_bucket, _key)} is complete; nothing more can be written.");
        }
    }

    private void Grow(int needed)
    {
        var size = Math.Max(InitialBufferBytes, _buffer.Length);
        while (size < needed)
        {
            size = (int)Math.Min((long)size * 2, _partSize);
        }

        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }

    /// <summary>Hands the filled buffer to a background upload, after the oldest part finished when <see cref="MaxPartsInFlight"/> are travelling.</summary>
    private async Task StartPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            var initiate = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = _key, ExpectedBucketOwner = _lake.Settings.ExpectedBucketOwner };
            _lake.ApplyEncryption(initiate);
            if (!_lake.Settings.Emulator)
            {
                initiate.ChecksumAlgorithm = ChecksumAlgorithm.CRC32C;
            }

            var response = await S3LakeStorage.CallAsync("Starting the upload of", _bucket, _key, ct => _lake.Client.InitiateMultipartUploadAsync(initiate, ct), cancellationToken).ConfigureAwait(false);
            _uploadId = response.UploadId;
        }

        while (_inflight.Count >= MaxPartsInFlight)
        {
            await WaitOldestAsync().ConfigureAwait(false);
        }

        var data = _buffer;
        var length = _length;
        var partNumber = _partsStarted + 1;
        if (partNumber > 10_000)
        {
            throw new IngestException($"{S3LakeStorage.Address(_bucket, _key)} needs more than 10,000 parts of {_partSize} bytes: raise AwsIngestOptions.PartSizeBytes.") { Location = S3LakeStorage.Address(_bucket, _key) };
        }

        _partsStarted = partNumber;
        _buffer = _spares.Count > 0 ? _spares.Pop() : [];
        _length = 0;
        _inflight.Enqueue((UploadPartAsync(partNumber, data, length, cancellationToken), data));
    }

    private async Task UploadPartAsync(int partNumber, byte[] data, int length, CancellationToken cancellationToken)
    {
        // Let the writer go on filling the next part while this one travels.
        await Task.Yield();
        var request = new UploadPartRequest
        {
            BucketName = _bucket,
            Key = _key,
            UploadId = _uploadId,
            PartNumber = partNumber,
            InputStream = new MemoryStream(data, 0, length, writable: false),
            PartSize = length,
            UseChunkEncoding = false,
            ExpectedBucketOwner = _lake.Settings.ExpectedBucketOwner,
        };
        if (!_lake.Settings.Emulator)
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32C;
            request.ChecksumCRC32C = Crc32C.ToBase64(data.AsSpan(0, length));
        }

        var response = await S3LakeStorage.CallAsync("Uploading a part of", _bucket, _key, ct => _lake.Client.UploadPartAsync(request, ct), cancellationToken).ConfigureAwait(false);
        lock (_parts)
        {
            _parts.Add(new PartETag(partNumber, response.ETag) { ChecksumCRC32C = request.ChecksumCRC32C });
        }
    }

    /// <summary>Waits for every part in flight; the first failure is thrown after all of them ended (none keeps running).</summary>
    private async Task WaitInflightAsync()
    {
        Exception? first = null;
        while (_inflight.Count > 0)
        {
            try
            {
                await WaitOldestAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                first ??= ex;
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    private async Task WaitOldestAsync()
    {
        var (upload, buffer) = _inflight.Dequeue();
        try
        {
            await upload.ConfigureAwait(false);
        }
        finally
        {
            _spares.Push(buffer);
        }
    }

    private async Task PutSingleAsync(CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _key,
            InputStream = new MemoryStream(_buffer, 0, _length, writable: false),
            AutoCloseStream = true,
            UseChunkEncoding = false,
            ExpectedBucketOwner = _lake.Settings.ExpectedBucketOwner,
        };
        _lake.ApplyEncryption(request);
        if (!_lake.Settings.Emulator)
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32C;
            request.ChecksumCRC32C = Crc32C.ToBase64(_buffer.AsSpan(0, _length));
        }

        await S3LakeStorage.CallAsync("Writing", _bucket, _key, ct => _lake.Client.PutObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    private void ReleaseBuffers()
    {
        foreach (var buffer in _spares.Prepend(_buffer))
        {
            if (buffer is { Length: > 0 })
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        _buffer = [];
        _spares.Clear();
        _length = 0;
    }

    /// <summary>The write-only, forward-only stream the caller writes to.</summary>
    private sealed class WriteStream(S3ObjectWriter owner) : Stream
    {
        private long _position;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !owner._disposed && !owner._completed;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            Write(buffer.AsSpan(offset, count));
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            // Synchronous callers wait for the part upload when a part fills; asynchronous ones do not block a thread.
            while (!buffer.IsEmpty)
            {
                var before = owner._length;
                owner.Append(buffer, out var full);
                var taken = owner._length - before;
                buffer = buffer[taken..];
                _position += taken;
                if (full)
                {
                    owner.StartPartAsync(CancellationToken.None).GetAwaiter().GetResult();
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            ValidateBufferArguments(buffer, offset, count);
            return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await owner.WriteCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
            _position += buffer.Length;
        }

        public override void WriteByte(byte value) => Write([value]);
    }
}
