using Ingest.Definitions;
using Ingest.Registry;

namespace Ingest.Engine;

/// <summary>
/// An immutable, thread-safe ingest pipeline for one dataset, built by <see cref="IngestPipelineBuilder"/>.
/// Each <see cref="RunAsync(IReadOnlyList{IngestInput}, CancellationToken)"/> or <see cref="ExtractAndRunAsync(CancellationToken)"/>
/// is one run: lease, raw copy, read, convert, transform, validate, write, commit, catalog, ledger.
/// </summary>
public sealed class IngestPipeline
{
    private static readonly IngestRunOptions Defaults = new();
    private readonly PipelineSettings _settings;

    internal IngestPipeline(PipelineSettings settings) => _settings = settings;

    /// <summary>Gets the dataset.</summary>
    public DatasetId Dataset => _settings.Dataset;

    /// <summary>
    /// Ingests the inputs as one run. Rows land in the curated zone or the quarantine zone; files become
    /// visible only when all are durable. Inputs ingested before are skipped.
    /// </summary>
    /// <returns>The run, succeeded or skipped.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is empty.</exception>
    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    /// <exception cref="ConcurrencyConflictException">Another live run holds the dataset's lease.</exception>
    /// <exception cref="DataValidationException">The data failed the run (a failing rule, the reject budget, an unreadable file); nothing was published.</exception>
    /// <remarks>
    /// Memory is bounded by the definition's memory budget, not by the input size. For a dataset with a database source the
    /// inputs are extracts to replay (Parquet files an earlier extraction kept); <see cref="ExtractAndRunAsync(CancellationToken)"/> extracts anew.
    /// </remarks>
    public Task<IngestRunResult> RunAsync(IReadOnlyList<IngestInput> inputs, CancellationToken cancellationToken = default)
        => RunAsync(inputs, Defaults, cancellationToken);

    /// <summary>Ingests the inputs as one run with per-run options, such as <see cref="IngestRunOptions.Force"/>.</summary>
    /// <returns>The run, succeeded or skipped.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is empty.</exception>
    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    /// <exception cref="ConcurrencyConflictException">Another live run holds the dataset's lease.</exception>
    /// <exception cref="DataValidationException">The data failed the run; nothing was published.</exception>
    public Task<IngestRunResult> RunAsync(IReadOnlyList<IngestInput> inputs, IngestRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        if (inputs.Count == 0)
        {
            throw new ArgumentException(
                $"At least one input is required; a dataset with a database source is extracted by {nameof(ExtractAndRunAsync)}.", nameof(inputs));
        }

        return new IngestRun(_settings with { Force = options.Force }).ExecuteAsync(inputs, cancellationToken);
    }

    /// <summary>
    /// Extracts the definition's database source and ingests the extract as one run: the rows above the committed
    /// watermark up to an upper bound fixed at the start, and the new watermark committed with the data.
    /// </summary>
    /// <returns>The run: succeeded, or skipped when the window held no rows.</returns>
    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    /// <exception cref="InvalidOperationException">
    /// The dataset reads files (call <see cref="RunAsync(IReadOnlyList{IngestInput}, CancellationToken)"/> with them), or no source
    /// extractor is configured; thrown before the run starts.
    /// </exception>
    /// <exception cref="IngestException">The database cannot be read.</exception>
    public async Task<IngestRunResult> ExtractAndRunAsync(CancellationToken cancellationToken = default)
    {
        var registered = await _settings.Backends.Registry.GetRequiredAsync(_settings.Dataset, _settings.Version, cancellationToken).ConfigureAwait(false);
        var source = registered.Definition.Source.Format;
        if (source != SourceFormat.Database)
        {
            throw new InvalidOperationException(
                $"Dataset {_settings.Dataset} reads {source} files, not a database: call RunAsync with its input files instead of {nameof(ExtractAndRunAsync)}.");
        }

        if (_settings.Extractor is null)
        {
            throw new InvalidOperationException(
                $"Dataset {_settings.Dataset} reads a database: register a source extractor (services.AddIngestDatabase(...) or IngestPipelineBuilder.UseSourceExtractor) before calling {nameof(ExtractAndRunAsync)}, or give extracts to replay to RunAsync.");
        }

        return await new IngestRun(_settings).ExecuteAsync([], cancellationToken).ConfigureAwait(false);
    }
}
