using Ingest.Definitions;

namespace Ingest.Ledger;

/// <summary>Queries over <see cref="IRunLedger"/> that every backend answers the same way.</summary>
public static class RunLedgerExtensions
{
    /// <summary>
    /// Returns the watermark of <paramref name="source"/>: the value recorded by the newest succeeded run of the dataset
    /// that recorded one, or <see langword="null"/> when none did. Failed and running runs never count, so a run that
    /// dies re-reads the same window next time.
    /// </summary>
    /// <remarks>Reads the dataset's runs newest first and stops at the first match.</remarks>
    public static async Task<string?> GetWatermarkAsync(this IRunLedger ledger, DatasetId dataset, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentException.ThrowIfNullOrEmpty(source);
        await foreach (var run in ledger.ListRunsAsync(dataset, cancellationToken).ConfigureAwait(false))
        {
            if (run.Status == RunStatus.Succeeded && run.Watermarks.TryGetValue(source, out var value))
            {
                return value;
            }
        }

        return null;
    }
}
