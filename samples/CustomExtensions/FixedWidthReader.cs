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
/// Its options are checked when a definition is checked against the host's registrations (<see cref="ValidateOptions"/>),
/// so a width of 0 or a column without a field is refused before the definition is stored.
/// </summary>
public sealed class FixedWidthReader : ISourceReader, ISourceOptionsValidator
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

        // A definition registered without this host's registrations was never checked: refuse to read with bad options.
        if (!context.IsValidation && ValidateOptions().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException($"Dataset {context.Dataset}, {context.InputName}: source.options.{problem.Member}: {problem}.");
        }

        _width = _options.Fields.Sum(f => f.Width);
    }

    /// <inheritdoc />
    public IEnumerable<SourceOptionsProblem> ValidateOptions()
    {
        if (_options.Fields.Count == 0)
        {
            yield return new SourceOptionsProblem("fields", _context.GetOptionText("fields"), "at least one field, each {\"name\": …, \"width\": …}");
            yield break;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _options.Fields.Count; i++)
        {
            var field = _options.Fields[i];
            if (string.IsNullOrEmpty(field.Name))
            {
                yield return new SourceOptionsProblem($"fields[{i}].name", _context.GetOptionText($"fields[{i}].name"), "the name of the field (a source column)");
            }
            else if (!names.Add(field.Name))
            {
                yield return new SourceOptionsProblem($"fields[{i}].name", _context.GetOptionText($"fields[{i}].name"), "a name no other field has");
            }

            if (field.Width < 1)
            {
                yield return new SourceOptionsProblem($"fields[{i}].width", _context.GetOptionText($"fields[{i}].width"), "a width of 1 or more characters");
            }
        }

        var missing = _context.Definition.Columns.Where(c => !c.Optional && !names.Contains(c.EffectiveSourceColumn)).Select(c => c.EffectiveSourceColumn).ToList();
        if (missing.Count > 0)
        {
            yield return new SourceOptionsProblem("fields", string.Join(", ", names), $"a field for every required column, none for {string.Join(", ", missing)}");
        }
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
