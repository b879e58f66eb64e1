using Ingest.Definitions;
using Ingest.Engine.Reading;

namespace Ingest.Sources;

/// <summary>What a custom reader is created with: the input (the run's raw copy of it), the definition's source settings and the columns the schema reads.</summary>
public sealed class SourceReaderContext
{
    private readonly Func<CancellationToken, Task<Stream>> _open;
    private CountingStream? _stream;

    /// <summary>Creates the context of one input (the engine does, over the run's raw copy; tests of a reader may).</summary>
    /// <param name="definition">The definition being read.</param>
    /// <param name="inputName">The input's name, for messages.</param>
    /// <param name="open">Opens the input's bytes.</param>
    public SourceReaderContext(DatasetDefinition definition, string inputName, Func<CancellationToken, Task<Stream>> open)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentNullException.ThrowIfNull(open);
        Definition = definition;
        InputName = inputName;
        _open = open;
        SourceColumns = [.. definition.Columns.Select(c => c.EffectiveSourceColumn)];
    }

    /// <summary>
    /// Creates the context of a reader made only to check the definition's options (<see cref="ISourceOptionsValidator"/>):
    /// it has no input, and <see cref="OpenAsync"/> throws.
    /// </summary>
    internal static SourceReaderContext ForValidation(DatasetDefinition definition)
        => new(definition, "(definition check)", _ => throw new InvalidOperationException($"Dataset {definition.Id}: this reader was created to check source.options when the definition is registered; it has no input to open."))
        {
            IsValidation = true,
        };

    /// <summary>
    /// Gets whether the reader is created only to check the definition's options when it is registered: there is no input,
    /// and <see cref="OpenAsync"/> throws. A constructor may skip work it needs only to read (opening connections, caches).
    /// </summary>
    public bool IsValidation { get; private init; }

    /// <summary>
    /// Gets the JSON text of a member of <c>source.options</c> (<c>fields[1].width</c>), for a <see cref="SourceOptionsProblem.Value"/>;
    /// <see langword="null"/> when the member is missing.
    /// </summary>
    /// <param name="member">The member's path: names separated by <c>.</c>, array items as <c>[i]</c>.</param>
    public string? GetOptionText(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        return ExtensionOptions.Find(Source.Options, member)?.GetRawText();
    }

    /// <summary>Gets the dataset.</summary>
    public DatasetId Dataset => Definition.Id;

    /// <summary>Gets the definition being read.</summary>
    public DatasetDefinition Definition { get; }

    /// <summary>Gets the definition's source settings (format, encoding, null markers, date formats, …).</summary>
    public SourceDefinition Source => Definition.Source;

    /// <summary>Gets the input's name (a file name), for messages.</summary>
    public string InputName { get; }

    /// <summary>Gets the source column names the schema reads (<c>sourceColumn</c>, or the column's name), in schema order.</summary>
    public IReadOnlyList<string> SourceColumns { get; }

    /// <summary>
    /// Reads the definition's <c>source.options</c> object as <typeparamref name="T"/> (camelCase members; a member
    /// <typeparamref name="T"/> lacks is refused); a source without options gives <c>new T()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The options do not fit <typeparamref name="T"/>; the message says which member.</exception>
    public T GetOptions<T>()
        where T : new()
        => ExtensionOptions.Read<T>(Source.Options);

    /// <summary>Gets the number of bytes read so far from the stream of <see cref="OpenAsync"/> (for progress).</summary>
    public long BytesRead => _stream?.BytesRead ?? 0;

    /// <summary>
    /// Opens the input's bytes: the run's raw copy, exactly the bytes fingerprinted. The reader owns (disposes) the stream.
    /// Call once.
    /// </summary>
    public async Task<Stream> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_stream is not null)
        {
            throw new InvalidOperationException($"The input {InputName} is open already: a reader opens it once.");
        }

        _stream = new CountingStream(await _open(cancellationToken).ConfigureAwait(false));
        return _stream;
    }

    /// <summary>
    /// Opens the input as text in <c>source.encoding</c> (a byte order mark wins). Bytes that are not valid in the encoding
    /// throw a <see cref="System.Text.DecoderFallbackException"/> from the reader, which the engine reports with the line and
    /// byte offset. The reader owns (disposes) the text reader. Call once, instead of <see cref="OpenAsync"/>.
    /// </summary>
    public async Task<TextReader> OpenTextAsync(CancellationToken cancellationToken = default)
    {
        var stream = await OpenAsync(cancellationToken).ConfigureAwait(false);
        OpenedAsText = true;
        return new StreamReader(stream, TextEncodings.Resolve(Source.Encoding), detectEncodingFromByteOrderMarks: true, TextInput.ChunkBytes, leaveOpen: false);
    }

    /// <summary>Reopens the bytes for the engine's error path (locating an invalid byte); not counted.</summary>
    internal Task<Stream> ReopenAsync(CancellationToken cancellationToken) => _open(cancellationToken);

    internal bool OpenedAsText { get; set; }
}
