namespace Ingest.Sources;

/// <summary>
/// A reader of a custom source format, registered by name (<c>services.AddIngestSourceFormat&lt;TReader&gt;("fixed-width")</c>
/// or <see cref="IngestExtensionsBuilder.AddSourceFormat"/>) and used from a definition as <c>"source": {"format": "fixed-width"}</c>.
/// A reader is created for one input of one run (see <see cref="SourceReaderContext"/>), opened once, read to the end (or
/// until the run stops) and disposed.
/// </summary>
/// <remarks>
/// The contract (checked by <c>Ingest.Testing.SourceReaderContractTests</c>):
/// <list type="bullet">
/// <item><see cref="OpenAsync"/> returns the names of the fields of every record, in order; a schema column the list lacks fails the input (unless optional).</item>
/// <item>Each record gets a <see cref="SourceRecordBuilder.Position"/>: the 1-based line (or record number) where it starts, strictly increasing.</item>
/// <item>A record has one field per name; one that cannot be split into fields is rejected with <see cref="SourceRecordBuilder.Reject"/> and its raw text, which the quarantine keeps, and reading goes on.</item>
/// <item>Fields are text in the definition's forms (<c>source.dateFormats</c>, <c>source.nullMarkers</c>, …); the engine converts them.</item>
/// <item>The reader honours the token: a cancelled token makes the next call throw <see cref="OperationCanceledException"/>.</item>
/// <item>Calls are sequential, never concurrent, though they may come from different threads (the engine reads ahead on a task of its own).</item>
/// </list>
/// </remarks>
public interface ISourceReader : IAsyncDisposable
{
    /// <summary>Opens the input (<see cref="SourceReaderContext.OpenAsync"/> or <see cref="SourceReaderContext.OpenTextAsync"/>) and returns the field names, in field order.</summary>
    ValueTask<IReadOnlyList<string>> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Reads the next record into <paramref name="record"/> (empty when the call starts).</summary>
    /// <returns><see langword="false"/> at the end of the input (<paramref name="record"/> is then ignored).</returns>
    ValueTask<bool> ReadAsync(SourceRecordBuilder record, CancellationToken cancellationToken);
}
