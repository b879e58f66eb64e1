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
        return (stream, new StreamReader(stream, TextEncodings.Resolve(encoding), detectEncodingFromByteOrderMarks: true, ChunkBytes, leaveOpen: false));
    }

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
}
