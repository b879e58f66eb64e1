using System.Globalization;
using System.Text;
using Ingest.Definitions;
using Ingest.Sources;

namespace Ingest.Engine.Reading;

/// <summary>
/// A reader of a registered (custom) format behind the engine's reader seam: it hands each record to the public
/// <see cref="Sources.ISourceReader"/> through a <see cref="SourceRecordBuilder"/> and holds it to its contract (a
/// header, increasing positions), and reports invalid bytes of <see cref="SourceReaderContext.OpenTextAsync"/> as the
/// built-in text readers do.
/// </summary>
internal sealed class RegisteredSourceReader(SourceFormat format, Sources.ISourceReader reader, SourceReaderContext context) : ISourceReader
{
    private readonly SourceRecordBuilder _builder = new();
    private IReadOnlyList<string> _header = [];
    private long _previous;

    public IReadOnlyList<string> Header => _header;

    public IReadOnlyCollection<string> FileColumns => _header;

    public long BytesRead => context.BytesRead;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var header = await Decoding(() => reader.OpenAsync(cancellationToken)).ConfigureAwait(false);
        if (header is null || header.Any(string.IsNullOrEmpty))
        {
            throw Broken("OpenAsync returned no field names, or an empty one");
        }

        _header = header;
    }

    public async ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        _builder.Bind(record);
        if (!await Decoding(() => reader.ReadAsync(_builder, cancellationToken)).ConfigureAwait(false))
        {
            return false;
        }

        if (record.Line <= _previous)
        {
            throw Broken(string.Create(CultureInfo.InvariantCulture, $"record after position {_previous} has position {record.Line}; set SourceRecordBuilder.Position to the 1-based line where each record starts, increasing"));
        }

        if (record.Error is not null && record.RawText is null)
        {
            throw Broken(string.Create(CultureInfo.InvariantCulture, $"record at position {record.Line} was rejected without its raw text"));
        }

        _previous = record.Line;
        return true;
    }

    public ValueTask DisposeAsync() => reader.DisposeAsync();

    private async ValueTask<T> Decoding<T>(Func<ValueTask<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DecoderFallbackException ex) when (context.OpenedAsText)
        {
            var (line, offset) = await EncodingErrors.LocateAsync(context.ReopenAsync, TextEncodings.Resolve(context.Source.Encoding), CancellationToken.None).ConfigureAwait(false);
            throw EncodingErrors.Create(context.InputName, context.Source.Encoding, line, offset, ex);
        }
    }

    private IngestException Broken(string what)
        => new($"{context.InputName}: the reader of source format '{format}' broke its contract: {what}. Nothing was published; fix the reader.")
        {
            Dataset = context.Dataset,
            Location = context.InputName,
        };
}
