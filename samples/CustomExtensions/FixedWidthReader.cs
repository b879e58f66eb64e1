using Ingest.Sources;

namespace CustomExtensions;

/// <summary>One field of a fixed-width line.</summary>
public sealed class FixedWidthField
{
    /// <summary>Gets or sets the field's name (a schema column's source column).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the field's width in characters.</summary>
    public int Width { get; set; }
}

/// <summary>The settings of the <c>fixed-width</c> format, from the definition's <c>source.options</c>.</summary>
public sealed class FixedWidthOptions
{
    /// <summary>Gets or sets the fields, in line order.</summary>
    public IList<FixedWidthField> Fields { get; set; } = [];
}

/// <summary>
/// A custom source format: text lines whose fields stand at fixed widths (a mainframe or COBOL export), decoded in
/// <c>source.encoding</c> and trimmed. A line shorter than the fields is rejected whole, with its text, for the quarantine;
/// blank lines are skipped. Registered as <c>services.AddIngestSourceFormat&lt;FixedWidthReader&gt;("fixed-width")</c>.
/// </summary>
public sealed class FixedWidthReader : ISourceReader
{
    private readonly SourceReaderContext _context;
    private readonly FixedWidthOptions _options;
    private readonly int _width;
    private TextReader? _text;
    private long _line;

    /// <summary>Creates the reader of one input.</summary>
    public FixedWidthReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _options = context.GetOptions<FixedWidthOptions>();
        if (_options.Fields.Count == 0 || _options.Fields.Any(f => f.Width < 1 || string.IsNullOrEmpty(f.Name)))
        {
            throw new ArgumentException($"{context.InputName}: source.options.fields needs at least one field, each with a name and a width of 1 or more.");
        }

        _width = _options.Fields.Sum(f => f.Width);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> OpenAsync(CancellationToken cancellationToken)
    {
        _text = await _context.OpenTextAsync(cancellationToken).ConfigureAwait(false);
        return [.. _options.Fields.Select(f => f.Name)];
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReadAsync(SourceRecordBuilder record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        var text = _text ?? throw new InvalidOperationException("Call OpenAsync first.");
        while (await text.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            _line++;
            if (line.Length == 0)
            {
                continue;
            }

            record.Position = _line;
            if (line.Length < _width)
            {
                record.Reject($"the line has {line.Length} characters, the fields need {_width}", line);
                return true;
            }

            var start = 0;
            foreach (var field in _options.Fields)
            {
                record.Add(line.AsSpan(start, field.Width).Trim());
                start += field.Width;
            }

            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _text?.Dispose();
        return ValueTask.CompletedTask;
    }
}
