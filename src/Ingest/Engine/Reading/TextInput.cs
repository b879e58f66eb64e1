using System.Globalization;
using Ingest.Definitions;

namespace Ingest.Engine.Reading;

/// <summary>Opens a text input (CSV, JSON Lines) for decoding in large chunks, with its bytes counted for progress.</summary>
internal static class TextInput
{
    /// <summary>
    /// How many bytes the decoder asks the stream for at a time. A refill is a hop to the thread pool for a file
    /// (and a request for a network stream), so 1 MiB makes a 100 MB input about 100 refills, not thousands; the
    /// readers then take the decoded text in smaller pieces without waiting.
    /// </summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>Opens the input; the reader owns (and disposes) the counting stream, which owns the input's stream.</summary>
    public static async Task<(CountingStream Stream, StreamReader Reader)> OpenAsync(
        Func<CancellationToken, Task<Stream>> open, string encoding, CancellationToken cancellationToken)
    {
        var stream = new CountingStream(await open(cancellationToken).ConfigureAwait(false));
        try
        {
            // A byte order mark picks the encoding, as StreamReader's own detection would; but that detection switches to
            // an encoding that replaces invalid bytes (U+FFFD), so the mark is read here and the strict form of its
            // encoding is given to the reader, whose preamble check then skips the mark.
            var head = new byte[4];
            var length = 0;
            int n;
            while (length < head.Length && (n = await stream.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += n;
            }

            var text = new PrefixedStream(head.AsMemory(0, length), stream);
            return (stream, new StreamReader(text, StrictEncodingOf(head.AsSpan(0, length), encoding), detectEncodingFromByteOrderMarks: false, ChunkBytes, leaveOpen: false));
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The encoding a byte order mark names (strict, with its preamble), or else the definition's (strict).</summary>
    internal static System.Text.Encoding StrictEncodingOf(ReadOnlySpan<byte> head, string encoding) => head switch
    {
        [0xFF, 0xFE, 0x00, 0x00, ..] => new System.Text.UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true),
        [0x00, 0x00, 0xFE, 0xFF, ..] => new System.Text.UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true),
        [0xEF, 0xBB, 0xBF, ..] => new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true),
        [0xFF, 0xFE, ..] => new System.Text.UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
        [0xFE, 0xFF, ..] => new System.Text.UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
        _ => TextEncodings.Resolve(encoding),
    };

    /// <summary>
    /// Fails the input when its first line holds NULs while the definition reads an 8-bit encoding: the file is then UTF-16
    /// without a byte order mark (every other byte of ASCII text is NUL), and the message says which encoding to set.
    /// </summary>
    public static void ThrowIfUtf16(string inputName, string encoding, ReadOnlySpan<char> firstLine, long line)
    {
        var nul = firstLine.IndexOf('\0');
        if (nul < 0 || TextEncodings.Resolve(encoding) is System.Text.UnicodeEncoding)
        {
            return;
        }

        // An ASCII character read as UTF-16LE bytes is the character then NUL; as UTF-16BE, NUL then the character.
        var (name, setting) = nul == 0 ? ("UTF-16BE", "utf-16be") : ("UTF-16LE", "utf-16");
        throw new DataValidationException(string.Create(
            CultureInfo.InvariantCulture,
            $"{inputName} line {line}: the text holds NUL characters, so the file looks like {name} without a byte order mark, but source.encoding is {encoding}; set source.encoding to \"{setting}\" (or save the file as UTF-8)."))
        { Location = inputName, Line = line };
    }

    /// <summary>The bytes read ahead to find a byte order mark, then the rest of the input; disposing it disposes the input.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return inner.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => _prefix.IsEmpty ? inner.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
