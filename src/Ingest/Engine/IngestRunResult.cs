using Ingest.Ledger;

namespace Ingest.Engine;

/// <summary>The outcome of a successful or skipped run (failures throw).</summary>
public sealed record IngestRunResult
{
    /// <summary>Gets the run as recorded in the ledger.</summary>
    public required RunRecord Run { get; init; }

    /// <summary>Gets how long the run took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets the most frequent reject reasons with their counts, most frequent first (at most 10).</summary>
    public IReadOnlyList<RejectReasonCount> TopRejectReasons { get; init; } = [];

    /// <summary>Gets the table maintenance the run did after its commit (<see cref="Definitions.TableMaintenanceSettings.AfterRuns"/>), if any.</summary>
    public Catalog.MaintenanceReport? Maintenance { get; init; }

    /// <summary>Gets whether nothing was ingested because every input had been ingested before.</summary>
    public bool IsNoOp => Run.Status == RunStatus.Skipped;
}

/// <summary>A reject reason (without line-specific detail) and how many rows it rejected.</summary>
/// <param name="Reason">The reason, such as <c>amount: not a decimal(18,2)</c>.</param>
/// <param name="Count">The number of rows.</param>
public sealed record RejectReasonCount(string Reason, long Count);
