namespace Ingest.Engine;

internal sealed class IngestRun(PipelineSettings settings)
{
    private readonly PipelineSettings _settings = settings;

    public Task<IngestRunResult> ExecuteAsync(IReadOnlyList<IngestInput> inputs, CancellationToken cancellationToken)
        => throw new InvalidOperationException($"in progress {_settings.Dataset} {inputs.Count} {cancellationToken}");
}
