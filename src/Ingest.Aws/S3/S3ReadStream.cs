using Amazon.S3.Model;
using Ingest.Storage;

namespace Ingest.Aws.S3;

/// <summary>
/// A seekable read stream over an S3 object: each read from a new position opens a ranged GET from there to the end
/// and reads it sequentially, so a Parquet reader's footer read costs one small request and a sequential read one
/// request in all. Short forward seeks are skipped over on the open response instead of opening another. Every GET
/// names the ETag seen when the stream was opened, so an object replaced meanwhile fails the read instead of mixing versions.
/// </summary>
internal sealed class S3ReadStream : Stream
{
    private const long SkipWithinBytes = 128 * 1024;

    private readonly S3LakeStorage _lake;
    private readonly LakeZone _zone;
    private readonly string _lakeKey;
    private readonly string _bucket;
    private readonly string _key;
    private readonly long _length;
    private readonly string _etag;
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _bodyPosition;
    private long _position;
    private bool _disposed;

    public S3ReadStream(S3LakeStorage lake, LakeZone zone, string lakeKey, string bucket, string key, long length, string etag)
    {
        _lake = lake;
        _zone = zone;
        _lakeKey = lakeKey;
        _bucket = bucket;
        _key = key;
        _length = length;
        _etag = etag;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var read = ReadAsync(rented.AsMemory()).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }

        try
        {
            await PositionBodyAsync(cancellationToken).ConfigureAwait(false);
            var read = await _body!.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The response ended at byte {_position} of {_length}.");
            }

            _position += read;
            _bodyPosition += read;
            return read;
        }
        catch (Exception ex) when (ex is not IngestException && AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            CloseBody();
            throw AwsErrors.Wrap(ex, "Reading", _lake.GetAddress(_zone, _lakeKey));
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            throw new IOException("An attempt was made to move the position before the beginning of the stream.");
        }

        _position = target;
        return target;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            CloseBody();
        }

        base.Dispose(disposing);
    }

    private async Task PositionBodyAsync(CancellationToken cancellationToken)
    {
        if (_body is not null && _position > _bodyPosition && _position - _bodyPosition <= SkipWithinBytes)
        {
            var skip = new byte[(int)(_position - _bodyPosition)];
            await _body.ReadExactlyAsync(skip, cancellationToken).ConfigureAwait(false);
            _bodyPosition = _position;
        }

        if (_body is not null && _bodyPosition == _position)
        {
            return;
        }

        CloseBody();
        var request = new GetObjectRequest
        {
            BucketName = _bucket,
            Key = _key,
            ByteRange = new ByteRange(_position, _length - 1),
            EtagToMatch = _etag,
            ExpectedBucketOwner = _lake.Settings.ExpectedBucketOwner,
        };
        _response = await _lake.Client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        _body = _response.ResponseStream;
        _bodyPosition = _position;
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }
}
