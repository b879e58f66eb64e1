using System.Globalization;
using System.Text;

namespace Ingest.Engine.Reading;

/// <summary>Finds where an input stops being valid in its declared encoding, for an error a person can act on.</summary>
internal static class EncodingErrors
{
    /// <summary>Decodes the input byte by byte (only on the error path) and returns the 1-based line and the byte offset of the first invalid byte.</summary>
    public static async Task<(long Line, long Offset)> LocateAsync(Func<CancellationToken, Task<Stream>> open, Encoding encoding, CancellationToken cancellationToken)
    {
        var strict = (Encoding)encoding.Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        var decoder = strict.GetDecoder();
        var stream = await open(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var preamble = strict.GetPreamble();
            var buffer = new byte[1 << 16];
            var chars = new char[8];
            long line = 1;
            long offset = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < read; i++, offset++)
                {
                    if (offset < preamble.Length && buffer[i] == preamble[offset])
                    {
                        continue;
                    }

                    int produced;
                    try
                    {
                        produced = decoder.GetChars(buffer, i, 1, chars, 0, flush: false);
                    }
                    catch (DecoderFallbackException)
                    {
                        return (line, offset);
                    }

                    for (var c = 0; c < produced; c++)
                    {
                        if (chars[c] == '\n')
                        {
                            line++;
                        }
                    }
                }
            }

            return (line, offset);
        }
    }

    public static DataValidationException Create(string inputName, string encodingName, long line, long offset, Exception inner)
        => new(
            string.Create(CultureInfo.InvariantCulture, $"{inputName} line {line}: the byte at offset {offset} is not valid {encodingName}; set source.encoding to the file's encoding (for example latin1 or windows-1252)."),
            inner)
        { Location = inputName, Line = line };
}
