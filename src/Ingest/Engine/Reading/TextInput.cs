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
}
