using Microsoft.Extensions.Logging;

namespace Ingest.Diagnostics;

/// <summary>Source-generated log messages of the engine. Event ids: 1000–1099 runs, 1100–1199 commit and recovery.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Run {RunId} of {Dataset} v{Version} started with {InputCount} input(s)")]
    public static partial void RunStarted(ILogger logger, string runId, string dataset, int version, int inputCount);

    [LoggerMessage(1001, LogLevel.Information, "Run {RunId} of {Dataset} succeeded: {RowsRead} read, {RowsWritten} written, {RowsRejected} rejected in {ElapsedMs} ms")]
    public static partial void RunSucceeded(ILogger logger, string runId, string dataset, long rowsRead, long rowsWritten, long rowsRejected, long elapsedMs);

    [LoggerMessage(1002, LogLevel.Warning, "Run {RunId} of {Dataset} failed: {Error}")]
    public static partial void RunFailed(ILogger logger, Exception? exception, string runId, string dataset, string error);

    [LoggerMessage(1003, LogLevel.Information, "Input {Input} of {Dataset} (sha256 {Sha256}) was ingested by run {PreviousRunId}; skipped")]
    public static partial void InputSkipped(ILogger logger, string input, string dataset, string sha256, string previousRunId);

    [LoggerMessage(1004, LogLevel.Information, "Run {RunId} of {Dataset}: every input was ingested before; nothing to do")]
    public static partial void RunSkipped(ILogger logger, string runId, string dataset);

    [LoggerMessage(1005, LogLevel.Warning, "Run {RunId} of {Dataset} took over the lease of dead run {DeadRunId} (process {ProcessId} on {Host} is gone)")]
    public static partial void LeaseTakenOver(ILogger logger, string runId, string dataset, string deadRunId, int processId, string host);

    [LoggerMessage(1006, LogLevel.Warning, "Run {RunId} of {Dataset} could not renew its lease: {Error}")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception? exception, string runId, string dataset, string error);

    [LoggerMessage(1007, LogLevel.Warning, "Run {RunId} of {Dataset}: the run observer {Observer} failed; the run's outcome stands: {Error}")]
    public static partial void RunObserverFailed(ILogger logger, Exception exception, string runId, string dataset, string observer, string error);

    [LoggerMessage(1050, LogLevel.Information, "Run {RunId} of {Dataset} extracted {Rows} row(s) from its database source (watermark {From} -> {To})")]
    public static partial void SourceExtracted(ILogger logger, string runId, string dataset, long rows, string from, string to);

    [LoggerMessage(1100, LogLevel.Information, "Run {RunId} of {Dataset}: committing {FileCount} file(s), replacing {DeleteCount}")]
    public static partial void Committing(ILogger logger, string runId, string dataset, int fileCount, int deleteCount);

    [LoggerMessage(1101, LogLevel.Warning, "Recovery of {Dataset}: dead run {DeadRunId} had committed; rolled its files forward")]
    public static partial void RolledForward(ILogger logger, string dataset, string deadRunId);

    [LoggerMessage(1102, LogLevel.Warning, "Recovery of {Dataset}: removed {ObjectCount} staged object(s) of dead run {DeadRunId}")]
    public static partial void CleanedStaging(ILogger logger, string dataset, string deadRunId, int objectCount);

    [LoggerMessage(1103, LogLevel.Warning, "Catalog update for {Dataset} failed after a successful commit; the data is published, run the catalog sync again: {Error}")]
    public static partial void CatalogUpdateFailed(ILogger logger, Exception exception, string dataset, string error);

    [LoggerMessage(1190, LogLevel.Information, "Maintained {Dataset} after run {RunId}: {FilesCompacted} small file(s) compacted, {SnapshotsExpired} snapshot(s) expired, {OrphansDeleted} orphan file(s) deleted")]
    public static partial void MaintainedAfterRun(ILogger logger, string dataset, string runId, int filesCompacted, int snapshotsExpired, int orphansDeleted);

    [LoggerMessage(1191, LogLevel.Warning, "Maintaining {Dataset} after run {RunId} failed (the run is committed; ingest maintain {Dataset} tries again): {Error}")]
    public static partial void MaintenanceAfterRunFailed(ILogger logger, Exception exception, string dataset, string runId, string error);

    [LoggerMessage(1104, LogLevel.Information, "Run {RunId} of {Dataset} committed Iceberg snapshot {SnapshotId}: {AddedFiles} file(s) added, {RemovedFiles} replaced")]
    public static partial void SnapshotCommitted(ILogger logger, string runId, string dataset, long snapshotId, int addedFiles, int removedFiles);
}
