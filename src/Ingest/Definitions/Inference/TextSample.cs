using System.Globalization;
using System.Text;
using Ingest.Engine;

namespace Ingest.Definitions.Inference;

/// <summary>
/// The bytes inference reads of a text file: the whole file, or its first bytes cut after the last whole line; and the
/// encoding they are in (a byte order mark, UTF-16 told by its NULs, UTF-8 when every byte decodes, else a legacy 8-bit one).
/// </summary>
internal sealed class TextSample
{
    private readonly byte[]? _bytes;
    private readonly IngestInput _input;

    private TextSample(IngestInput input, byte[]? bytes, bool truncated, long length, string encoding, string encodingReason)
    {
        _input = input;
        _bytes = bytes;
        Truncated = truncated;
        Length = length;
        Encoding = encoding;
        EncodingReason = encodingReason;
    }

    /// <summary>Gets whether the sample stops before the end of the file.</summary>
    public bool Truncated { get; }

    /// <summary>Gets the number of bytes in the sample.</summary>
    public long Length { get; }

    /// <summary>Gets the encoding name for <c>source.encoding</c>.</summary>
    public string Encoding { get; }

    /// <summary>Gets why that encoding.</summary>
    public string EncodingReason { get; }

    /// <summary>Opens the sample's bytes.</summary>
    public Task<Stream> OpenAsync(CancellationToken cancellationToken)
        => _bytes is null ? _input.OpenAsync(cancellationToken) : Task.FromResult<Stream>(new MemoryStream(_bytes, writable: false));

    /// <summary>The sample as an input, for the engine's readers.</summary>
    public IngestInput AsInput() => IngestInput.FromStream(_input.Name, OpenAsync, Length);

    /// <summary>Reads the sample of <paramref name="input"/>: at most <paramref name="maxBytes"/> unless <paramref name="wholeFile"/>.</summary>
    public static async Task<TextSample> ReadAsync(IngestInput input, long maxBytes, bool wholeFile, CancellationToken cancellationToken)
    {
        // The first bytes always decide the encoding; the whole file is then streamed again by the readers.
        var limit = wholeFile ? Math.Min(maxBytes, 1 << 20) : maxBytes;
        var head = new MemoryStream();
        var complete = true;
        var stream = await input.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit + 1 - head.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                head.Write(buffer, 0, read);
                if (head.Length > limit)
                {
                    complete = false;
                    break;
                }
            }
        }

        var bytes = head.ToArray();
        var (encoding, reason) = DetectEncoding(bytes, complete);
        if (complete)
        {
            return new TextSample(input, bytes, truncated: false, bytes.Length, encoding, reason);
        }

        if (wholeFile)
        {
            return new TextSample(input, null, truncated: false, input.Length ?? -1, encoding, reason);
        }

        var cut = CutAfterLastLine(bytes.AsSpan(0, (int)limit), encoding);
        return new TextSample(input, bytes[..cut], truncated: true, cut, encoding, reason);
    }

    /// <summary>Decodes at most <paramref name="maxChars"/> characters of the sample's start (for the dialect), replacing invalid bytes.</summary>
    public async Task<string> HeadTextAsync(int maxChars, CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Resolve(Encoding), detectEncodingFromByteOrderMarks: true);
        var buffer = new char[maxChars];
        var n = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return new string(buffer, 0, n);
    }

    private static Encoding Resolve(string name)
    {
        _ = TextEncodings.Resolve(name); // registers the code pages of the legacy encodings
        return Lenient(name);
    }

    private static Encoding Lenient(string name) => name switch
    {
        "utf-16" => new UnicodeEncoding(false, false),
        "utf-16be" => new UnicodeEncoding(true, false),
        "windows-1252" => System.Text.Encoding.GetEncoding(1252),
        "latin1" => System.Text.Encoding.Latin1,
        _ => new UTF8Encoding(false),
    };

    internal static (string Encoding, string Reason) DetectEncoding(ReadOnlySpan<byte> bytes, bool complete)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return ("utf-8", "a UTF-8 byte order mark");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return ("utf-16", "a UTF-16LE byte order mark");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return ("utf-16be", "a UTF-16BE byte order mark");
        }

        // ASCII text in UTF-16 has a NUL in every other byte: after the character (LE) or before it (BE).
        int even = 0, odd = 0, pairs = Math.Min(bytes.Length, 8192) / 2;
        for (var i = 0; i < pairs * 2; i += 2)
        {
            even += bytes[i] == 0 ? 1 : 0;
            odd += bytes[i + 1] == 0 ? 1 : 0;
        }

        if (pairs > 0 && odd > pairs * 0.3 && even < pairs * 0.05)
        {
            return ("utf-16", string.Create(CultureInfo.InvariantCulture, $"no byte order mark, but {odd:#,0} of the first {pairs:#,0} byte pairs end with NUL (UTF-16LE)"));
        }

        if (pairs > 0 && even > pairs * 0.3 && odd < pairs * 0.05)
        {
            return ("utf-16be", string.Create(CultureInfo.InvariantCulture, $"no byte order mark, but {even:#,0} of the first {pairs:#,0} byte pairs start with NUL (UTF-16BE)"));
        }

        // A sample cut inside a multi-byte character is not invalid: drop the incomplete end before checking.
        var checkedBytes = complete ? bytes : bytes[..LastCompleteUtf8(bytes)];
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(checkedBytes);
            var ascii = !checkedBytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F);
            return ("utf-8", ascii ? "no byte order mark; the sample is ASCII (valid UTF-8)" : "no byte order mark; every byte of the sample is valid UTF-8");
        }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index;
            // Five bytes have no character in windows-1252; a file with them is read as latin1 (every byte is a character).
            var undefined = checkedBytes.IndexOfAny((ReadOnlySpan<byte>)[0x81, 0x8D, 0x8F, 0x90, 0x9D]) >= 0;
            var name = undefined ? "latin1" : "windows-1252";
            return (name, string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 (an invalid byte near offset {Math.Max(at, 0):#,0}), so a legacy 8-bit encoding: {name}{(undefined ? " (the file has bytes windows-1252 does not define)" : string.Empty)}; check accented letters in the values"));
        }
    }

    private static int LastCompleteUtf8(ReadOnlySpan<byte> bytes)
    {
        // Step back over at most three continuation bytes to the lead byte; drop the sequence if it is incomplete.
        for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }

        return bytes.Length;
    }

    private static int CutAfterLastLine(ReadOnlySpan<byte> bytes, string encoding)
    {
        switch (encoding)
        {
            case "utf-16":
                for (var i = bytes.Length - 2; i >= 0; i--)
                {
                    if (i % 2 == 0 && bytes[i] == 0x0A && bytes[i + 1] == 0)
                    {
                        return i + 2;
                    }
                }

                return bytes.Length - (bytes.Length % 2);
            case "utf-16be":
                for (var i = bytes.Length - 2; i >= 0; i--)
                {
                    if (i % 2 == 0 && bytes[i] == 0 && bytes[i + 1] == 0x0A)
                    {
                        return i + 2;
                    }
                }

                return bytes.Length - (bytes.Length % 2);
            default:
                var last = bytes.LastIndexOf((byte)0x0A);
                return last >= 0 ? last + 1 : LastCompleteUtf8(bytes);
        }
    }
}
