using Ingest.Ledger;

namespace Ingest.Engine;

/// <summary>
/// Told about every run a pipeline records in the ledger, once it has ended: succeeded, skipped or failed. Use it to
/// publish the run's figures (<see cref="Diagnostics.IngestRunMetrics.FromRun"/>) to a metrics or log system; add it with
/// <see cref="IngestPipelineBuilder.AddRunObserver"/> or register it in the container (every registered observer is used).
/// </summary>
/// <remarks>
/// It is called on the run's flow after the ledger write and before <see cref="IngestPipeline.RunAsync(IReadOnlyList{IngestInput}, CancellationToken)"/> returns or
/// throws, so keep it quick (one log line, no network round trip). An exception it throws is logged and never changes
/// the run's outcome. Runs that never started (an unknown dataset, a lease held by another run) are not reported.
/// </remarks>
public interface IIngestRunObserver
{
    /// <summary>Called once per run with the run as recorded in the ledger.</summary>
    /// <param name="run">The final record: its counts, files, partitions, counters and, for a failed run, the error.</param>
    void OnRunCompleted(RunRecord run);
}
