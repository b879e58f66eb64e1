using System.Collections.Concurrent;

namespace Ingest.Diagnostics;

/// <summary>
/// Counters of the run in progress on the current asynchronous flow, recorded in <see cref="Ledger.RunRecord.Counters"/>
/// when the run ends. Backends add to them (for example <c>aws.retries</c>) without knowing which run they serve.
/// </summary>
/// <remarks>
/// Naming: a backend counts all of its retried requests in <c>{backend}.retries</c> (one dot, such as <c>aws.retries</c>);
/// finer counters use longer names (<c>aws.s3.retries</c>). <see cref="IngestRunMetrics.Retries"/> sums the former only.
/// </remarks>
internal static class IngestRunCounters
{
    /// <summary>The counter of the bytes of the files a run published (curated, quarantine, merge rewrites).</summary>
    public const string BytesWritten = "ingest.bytes_written";

    /// <summary>The counter of the bytes a run read from its inputs.</summary>
    public const string BytesRead = "ingest.bytes_read";

    private static readonly AsyncLocal<ConcurrentDictionary<string, long>?> Current = new();

    /// <summary>Adds <paramref name="by"/> to the counter <paramref name="name"/> of the current run; does nothing outside a run.</summary>
    public static void Increment(string name, long by = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Current.Value?.AddOrUpdate(name, by, (_, value) => value + by);
    }

    /// <summary>Starts a fresh set of counters for the run that begins on this flow.</summary>
    internal static void Begin() => Current.Value = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Returns the current run's counters, ordered by name.</summary>
    internal static IReadOnlyDictionary<string, long> Snapshot()
        => Current.Value is { } counters
            ? new SortedDictionary<string, long>(counters.ToDictionary(StringComparer.Ordinal), StringComparer.Ordinal)
            : new SortedDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Returns whether <paramref name="name"/> is a backend's total of retries (<c>{backend}.retries</c>).</summary>
    internal static bool IsRetryTotal(string name)
        => name.EndsWith(".retries", StringComparison.Ordinal) && name.IndexOf('.', StringComparison.Ordinal) == name.Length - ".retries".Length;
}
