using Microsoft.Extensions.Logging;

namespace Ingest.Local.Diagnostics;

/// <summary>Source-generated log messages of the local backends. Event ids: 2000–2019 lake, 2020–2039 SQLite, 2040–2059 DuckDB.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Warning, "Could not remove the temporary file {TempPath} of an aborted write: {Error}")]
    public static partial void TempFileNotRemoved(ILogger logger, Exception exception, string tempPath, string error);

    [LoggerMessage(2020, LogLevel.Debug, "Opened the registry and ledger database {DatabasePath}")]
    public static partial void DatabaseOpened(ILogger logger, string databasePath);

    [LoggerMessage(2040, LogLevel.Information, "Catalog views of {Dataset} v{Version} written to {CatalogPath} ({State})")]
    public static partial void ViewsWritten(ILogger logger, string dataset, int version, string catalogPath, string state);

    [LoggerMessage(2041, LogLevel.Debug, "The DuckDB catalog {CatalogPath} is in use by another process; retrying in {DelayMs} ms")]
    public static partial void CatalogBusy(ILogger logger, string catalogPath, int delayMs);

    [LoggerMessage(2042, LogLevel.Debug, "Query prepared with {ViewCount} view(s) over the lake")]
    public static partial void QueryPrepared(ILogger logger, int viewCount);
}
