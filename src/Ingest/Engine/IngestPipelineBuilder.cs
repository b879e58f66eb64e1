using Ingest.Definitions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Engine;

/// <summary>
/// Builds an <see cref="IngestPipeline"/>: for a dataset, from the registered definition, with optional
/// transforms of typed rows, then validate, write and register. Single-use and not thread-safe; the
/// pipeline it builds is immutable and thread-safe.
/// </summary>
/// <example>
/// <code>
/// var pipeline = new IngestPipelineBuilder(backends)
///     .ForDataset("sales.orders")
///     .AddTransform(row => row["country"] = row.Get&lt;string&gt;("country")?.ToUpperInvariant())
///     .Build();
/// var result = await pipeline.RunAsync([IngestInput.FromFile("orders.csv")], cancellationToken);
/// </code>
/// </example>
public sealed class IngestPipelineBuilder
{
    private readonly IngestBackends _backends;
    private readonly List<Action<IngestRow>> _transforms = [];
    private readonly List<IIngestRunObserver> _observers = [];
    private readonly IngestPipelineOptions _options = new();
    private DatasetId? _dataset;
    private int? _version;
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IProgress<IngestProgress>? _progress;
    private ISourceExtractor? _extractor;
    private IngestExtensions _extensions = IngestExtensions.None;
    private bool _built;

    /// <summary>Creates a builder over the given backends.</summary>
    public IngestPipelineBuilder(IngestBackends backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        _backends = backends;
    }

    /// <summary>Sets the dataset the pipeline ingests into.</summary>
    public IngestPipelineBuilder ForDataset(DatasetId dataset)
    {
        _dataset = dataset;
        return this;
    }

    /// <summary>Sets the dataset the pipeline ingests into, as <c>domain.name</c>.</summary>
    /// <exception cref="ArgumentException">The id is malformed.</exception>
    public IngestPipelineBuilder ForDataset(string dataset) => ForDataset(DatasetId.Parse(dataset));

    /// <summary>Pins a definition version instead of the latest at run time.</summary>
    public IngestPipelineBuilder UseDefinitionVersion(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        _version = version;
        return this;
    }

    /// <summary>Adds a transform applied to each typed row after conversion and before the quality rules, in the order added.</summary>
    public IngestPipelineBuilder AddTransform(Action<IngestRow> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        _transforms.Add(transform);
        return this;
    }

    /// <summary>Configures run options.</summary>
    public IngestPipelineBuilder Configure(Action<IngestPipelineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_options);
        return this;
    }

    /// <summary>Sets the clock (tests use a fake one).</summary>
    public IngestPipelineBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Sets the logger factory.</summary>
    public IngestPipelineBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Sets a progress sink.</summary>
    public IngestPipelineBuilder OnProgress(IProgress<IngestProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        _progress = progress;
        return this;
    }

    /// <summary>Adds an observer told about every run the pipeline records (metrics, logs), in the order added.</summary>
    public IngestPipelineBuilder AddRunObserver(IIngestRunObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Add(observer);
        return this;
    }

    /// <summary>Sets the extractor of database sources (the Ingest.Database package provides one; DI sets it from the container).</summary>
    public IngestPipelineBuilder UseSourceExtractor(ISourceExtractor extractor)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        _extractor = extractor;
        return this;
    }

    /// <summary>
    /// Sets the custom quality rules and source formats the pipeline's definitions may use (DI sets the container's, from
    /// <c>AddIngestRule</c> and <c>AddIngestSourceFormat</c>). A run of a definition that uses one not in
    /// <paramref name="extensions"/> is refused before it takes the dataset's lease.
    /// </summary>
    public IngestPipelineBuilder UseExtensions(IngestExtensions extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        _extensions = extensions;
        return this;
    }

    /// <summary>Validates the configuration and builds the pipeline.</summary>
    /// <exception cref="InvalidOperationException">No dataset was set, or the builder was used already.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public IngestPipeline Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("This IngestPipelineBuilder has already built a pipeline; create a new builder.");
        }

        if (_dataset is not { } dataset)
        {
            throw new InvalidOperationException("IngestPipelineBuilder: call ForDataset(...) before Build().");
        }

        var options = _options.Clone();
        if (options.GetErrors() is { Count: > 0 } errors)
        {
            throw new ArgumentOutOfRangeException(nameof(Configure), string.Join(" ", errors));
        }

        _built = true;
        return new IngestPipeline(new PipelineSettings(
            _backends, dataset, _version, [.. _transforms], options, _timeProvider, _loggerFactory, _progress, [.. _observers], _extractor) { Extensions = _extensions });
    }
}

internal sealed record PipelineSettings(
    IngestBackends Backends,
    DatasetId Dataset,
    int? Version,
    IReadOnlyList<Action<IngestRow>> Transforms,
    IngestPipelineOptions Options,
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    IProgress<IngestProgress>? Progress,
    IReadOnlyList<IIngestRunObserver> Observers,
    ISourceExtractor? Extractor = null)
{
    /// <summary>Gets the registered rules and formats (none unless the builder was given some).</summary>
    public IngestExtensions Extensions { get; init; } = IngestExtensions.None;

    /// <summary>Gets whether this run ingests inputs again that were ingested before (<see cref="IngestRunOptions.Force"/>).</summary>
    public bool Force { get; init; }
}
