using Microsoft.Extensions.Logging;

namespace Ingest.Database.Diagnostics;

/// <summary>Source-generated log messages of the database extractor. Event ids: 4000–4099. Row contents are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Extracted {Rows} row(s) of {Dataset} from connection {Connection} in {Ranges} range(s); watermark {From} -> {To}")]
    public static partial void Extracted(ILogger logger, string dataset, string connection, long rows, int ranges, string from, string to);

    [LoggerMessage(4001, LogLevel.Information, "Nothing new for {Dataset} on connection {Connection} above watermark {Watermark}")]
    public static partial void WindowEmpty(ILogger logger, string dataset, string connection, string watermark);
}
