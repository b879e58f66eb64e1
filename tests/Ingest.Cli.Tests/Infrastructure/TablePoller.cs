using System.Diagnostics;
using Ingest.Local;

namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>
/// A reader in this process of <c>sales.orders</c> in a local home: <c>count(*)</c> and <c>sum(amount)</c> through the
/// local query engine, once or over and over while a writer process runs (the readers of the visibility tests).
/// </summary>
internal static class TablePoller
{
    /// <summary>Reads the table's row count and amount sum.</summary>
    public static async Task<(long Count, decimal Sum)> ReadAsync(string home)
    {
        var backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = home });
        await using var result = await backends.Query!.QueryAsync("SELECT count(*), coalesce(sum(amount), 0) FROM sales.orders");
        await foreach (var row in result.ReadRowsAsync())
        {
            return (Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToDecimal(row[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        throw new InvalidOperationException("The query returned no row.");
    }

    /// <summary>Reads until <paramref name="writer"/> exits (at most three minutes): every state read, and every read that failed.</summary>
    public static async Task<(List<(long, decimal)> States, List<string> Failures)> PollUntilExitAsync(Process writer, string home)
    {
        var states = new List<(long, decimal)>();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        while (!writer.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            try
            {
                states.Add(await ReadAsync(home));
            }
            catch (IngestException ex)
            {
                failures.Add(ex.Message);
            }
        }

        await writer.WaitForExitAsync();
        return (states, failures);
    }
}
