using Ingest.Ledger;

namespace Ingest.Testing;

/// <summary>The errors and rules of the run ledger contract shared by the in-memory implementation.</summary>
internal static class RunLedgerErrors
{
    public static ConcurrencyConflictException RunExists(RunRecord run) => new(
        $"Dataset {run.Dataset}: run {run.RunId} is already recorded; run ids must be unique.")
    {
        Dataset = run.Dataset,
        RunId = run.RunId,
    };

    /// <summary>The fingerprints a completed run records: those it ingested, and only when it succeeded.</summary>
    public static IEnumerable<SourceFingerprint> SourcesToRecord(RunRecord run)
        => run.Status == RunStatus.Succeeded ? run.Sources.Where(s => !s.Skipped) : [];
}
