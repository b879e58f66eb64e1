namespace Ingest.Testing;

/// <summary>A write-only, forward-only buffer: what an S3 upload offers, so code under test cannot rely on seeking.</summary>
internal sealed class WriteOnlyStream : Stream
{
    private readonly MemoryStream _buffer = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _buffer.CanWrite;

    public override long Length => throw new NotSupportedException("The lake write stream is not seekable.");

    /// <summary>Gets the number of bytes written (setting it is not supported).</summary>
    public override long Position
    {
        get => _buffer.Position;
        set => throw new NotSupportedException("The lake write stream is not seekable.");
    }

    public byte[] ToArray() => _buffer.ToArray();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The lake write stream is write-only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The lake write stream is not seekable.");

    public override void SetLength(long value) => throw new NotSupportedException("The lake write stream is not seekable.");

    public override void Write(byte[] buffer, int offset, int count) => _buffer.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _buffer.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _buffer.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => _buffer.WriteAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
