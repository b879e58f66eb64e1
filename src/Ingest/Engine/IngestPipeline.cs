using Ingest.Definitions;

namespace Ingest.Engine;

/// <summary>
/// An immutable, thread-safe ingest pipeline for one dataset, built by <see cref="IngestPipelineBuilder"/>.
/// Each <see cref="RunAsync(IReadOnlyList{IngestInput}, CancellationToken)"/> is one run: lease, raw copy, read, convert, transform, validate, write,
/// commit, catalog, ledger.
/// </summary>
public sealed class IngestPipeline
{
    private readonly PipelineSettings _settings;

    internal IngestPipeline(PipelineSettings settings) => _settings = settings;

    /// <summary>Gets the dataset.</summary>
    public DatasetId Dataset => _settings.Dataset;

    /// <summary>
    /// Ingests the inputs as one run. Rows land in the curated zone or the quarantine zone; files become
    /// visible only when all are durable. Inputs ingested before are skipped unless forced.
    /// </summary>
    /// <returns>The run, succeeded or skipped.</returns>
    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    /// <exception cref="ConcurrencyConflictException">Another live run holds the dataset's lease.</exception>
    /// <exception cref="DataValidationException">The data failed the run (a failing rule, the reject budget, an unreadable file); nothing was published.</exception>
    /// <remarks>Memory is bounded by the definition's memory budget, not by the input size.</remarks>
    public Task<IngestRunResult> RunAsync(IReadOnlyList<IngestInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("At least one input is required.", nameof(inputs));
        }

        return new IngestRun(_settings).ExecuteAsync(inputs, cancellationToken);
    }

    /// <summary>
    /// Extracts the definition's database source and ingests the extract as one run: the rows above the committed
    /// watermark up to an upper bound fixed at the start, and the new watermark committed with the data.
    /// </summary>
    /// <returns>The run: succeeded, or skipped when the window held no rows.</returns>
    /// <exception cref="IngestException">The source is a file format, no extractor is configured, or the database cannot be read.</exception>
    public Task<IngestRunResult> RunAsync(CancellationToken cancellationToken = default)
        => new IngestRun(_settings).ExecuteAsync([], cancellationToken);
}
