using System.Diagnostics;

namespace Ingest.Benchmarks;

/// <summary>
/// Records every HTTP request of this process (the AWS SDK sends them through <see cref="HttpClient"/>, whose
/// <c>System.Net.Http</c> activities carry the URL) and tells how long at least one request to a given bucket was in flight:
/// the time a run spent waiting for S3 for that zone, with parallel requests counted once.
/// </summary>
internal sealed class HttpTimeline : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<(DateTime Start, DateTime End, string Url)> _requests = [];

    public HttpTimeline()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var url = activity.GetTagItem("url.full") as string ?? activity.DisplayName;
                lock (_requests)
                {
                    _requests.Add((activity.StartTimeUtc, activity.StartTimeUtc + activity.Duration, url));
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Gets the number of requests recorded.</summary>
    public int Count
    {
        get
        {
            lock (_requests)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Forgets what was recorded so far.</summary>
    public void Clear()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    /// <summary>Gets the seconds during which at least one request whose URL contains <paramref name="part"/> was in flight.</summary>
    public double BusySeconds(string part)
    {
        List<(DateTime Start, DateTime End)> spans;
        lock (_requests)
        {
            spans = [.. _requests.Where(r => r.Url.Contains(part, StringComparison.Ordinal)).Select(r => (r.Start, r.End)).OrderBy(r => r.Start)];
        }

        var busy = TimeSpan.Zero;
        DateTime? from = null, to = null;
        foreach (var (start, end) in spans)
        {
            if (to is { } until && start <= until)
            {
                to = end > until ? end : until;
                continue;
            }

            if (from is { } f && to is { } t)
            {
                busy += t - f;
            }

            (from, to) = (start, end);
        }

        if (from is { } last && to is { } lastEnd)
        {
            busy += lastEnd - last;
        }

        return busy.TotalSeconds;
    }

    public void Dispose() => _listener.Dispose();
}
