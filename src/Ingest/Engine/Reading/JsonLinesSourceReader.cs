using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingest.Definitions;

namespace Ingest.Engine.Reading;

/// <summary>
/// Reads one JSON object per line. Each schema column is looked up by its source name; numbers keep their
/// JSON text, booleans become true/false, nested values their raw JSON. A line that is not a JSON object is
/// kept whole for the quarantine. Blank lines are skipped.
/// </summary>
internal sealed class JsonLinesSourceReader(
    string inputName,
    SourceDefinition source,
    IReadOnlyList<string> schemaSourceColumns,
    Func<CancellationToken, Task<Stream>> open) : ISourceReader
{
    // Several schema columns may read one property (sourceColumn); the engine maps each name to its first field.
    private readonly Dictionary<string, int> _ordinals = FirstOrdinals(schemaSourceColumns);

    // The property names that occurred in a record so far (the schema's, and others up to a limit, for messages): a
    // schema column in none of the file's records is missing from the file.
    private const int MaxNamesKept = 1024;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private CountingStream? _stream;
    private StreamReader? _reader;
    private long _line;
    private bool _encodingChecked;

    public IReadOnlyList<string> Header => schemaSourceColumns;

    public IReadOnlyCollection<string> FileColumns => _seen;

    public bool FileColumnsKnownAtOpen => false;

    public long BytesRead => _stream?.BytesRead ?? 0;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        (_stream, _reader) = await TextInput.OpenAsync(open, source.Encoding, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        while (true)
        {
            string? text;
            try
            {
                text = await _reader!.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException ex)
            {
                var (line, offset) = await EncodingErrors.LocateAsync(open, _reader!.CurrentEncoding, cancellationToken).ConfigureAwait(false);
                throw EncodingErrors.Create(inputName, source.Encoding, line, offset, ex);
            }

            if (text is null)
            {
                return false;
            }

            _line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (!_encodingChecked)
            {
                TextInput.ThrowIfUtf16(inputName, source.Encoding, text, _line);
                _encodingChecked = true;
            }

            record.Reset(_line);
            for (var i = 0; i < schemaSourceColumns.Count; i++)
            {
                record.Add(null);
            }

            Parse(text, record);
            return true;
        }
    }

    private void Parse(string text, SourceRecord record)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                record.Error = $"the line is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object";
                record.RawText = text;
                return;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (_seen.Count < MaxNamesKept)
                {
                    _seen.Add(property.Name);
                }

                if (!_ordinals.TryGetValue(property.Name, out var index))
                {
                    continue;
                }

                var value = property.Value;
                record.Fields[index] = value.ValueKind switch
                {
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => value.GetRawText(),
                };
            }
        }
        catch (JsonException ex)
        {
            record.Error = $"invalid JSON: {ex.Message.Split(" Path:")[0].TrimEnd('.')}";
            record.RawText = text;
        }
    }

    private static Dictionary<string, int> FirstOrdinals(IReadOnlyList<string> names)
    {
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            ordinals.TryAdd(names[i], i);
        }

        return ordinals;
    }

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
