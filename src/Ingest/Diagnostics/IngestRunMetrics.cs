using Ingest.Definitions;
using Ingest.Ledger;

namespace Ingest.Diagnostics;

/// <summary>
/// The figures of one run that are published as metrics (CloudWatch EMF on AWS) and printed by the CLI, all derived from
/// the <see cref="RunRecord"/> the ledger holds, so that the metric, the ledger and the console always agree.
/// </summary>
public sealed record IngestRunMetrics
{
    /// <summary>Gets the dataset.</summary>
    public required DatasetId Dataset { get; init; }

    /// <summary>Gets the run id.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the final status.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Gets the definition version the run used.</summary>
    public required int DefinitionVersion { get; init; }

    /// <summary>Gets the rows read from the sources.</summary>
    public long RowsRead { get; init; }

    /// <summary>Gets the rows written to the curated zone.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Gets the rows written to the quarantine zone.</summary>
    public long RowsRejected { get; init; }

    /// <summary>Gets the bytes of the files published (counter <c>ingest.bytes_written</c>; 0 when not recorded).</summary>
    public long BytesWritten { get; init; }

    /// <summary>Gets the number of files published (curated and quarantine).</summary>
    public int FilesWritten { get; init; }

    /// <summary>Gets <see cref="BytesWritten"/> divided by <see cref="FilesWritten"/>, or 0 without files.</summary>
    public double AverageFileSizeBytes => FilesWritten == 0 ? 0 : (double)BytesWritten / FilesWritten;

    /// <summary>Gets the number of partitions written.</summary>
    public int PartitionsWritten { get; init; }

    /// <summary>Gets the time from start to end as recorded, or <see langword="null"/> for a run that has not ended.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets the requests the backends retried (the sum of the <c>{backend}.retries</c> counters of <see cref="Ledger.RunRecord.Counters"/>).</summary>
    public long Retries { get; init; }

    /// <summary>Derives the figures from a run record.</summary>
    /// <param name="run">The run as recorded in the ledger.</param>
    public static IngestRunMetrics FromRun(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new IngestRunMetrics
        {
            Dataset = run.Dataset,
            RunId = run.RunId,
            Status = run.Status,
            DefinitionVersion = run.DefinitionVersion,
            RowsRead = run.RowsRead,
            RowsWritten = run.RowsWritten,
            RowsRejected = run.RowsRejected,
            BytesWritten = run.Counters.GetValueOrDefault(IngestRunCounters.BytesWritten),
            FilesWritten = run.FilesWritten.Count,
            PartitionsWritten = run.PartitionsWritten.Count,
            Duration = run.EndedAt is { } ended ? ended - run.StartedAt : null,
            Retries = run.Counters.Where(c => IngestRunCounters.IsRetryTotal(c.Key)).Sum(c => c.Value),
        };
    }
}
