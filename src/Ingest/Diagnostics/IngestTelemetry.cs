using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Ingest.Ledger;

namespace Ingest.Diagnostics;

/// <summary>
/// The names of the engine's traces and metrics: an <see cref="ActivitySource"/> and a <see cref="Meter"/>, both named
/// <see cref="ActivitySourceName"/> (<c>Ingest</c>). A host that uses OpenTelemetry subscribes with
/// <c>.WithTracing(t =&gt; t.AddSource(IngestTelemetry.ActivitySourceName))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter(IngestTelemetry.MeterName))</c>; without a listener nothing is recorded.
/// </summary>
/// <remarks>
/// <para>
/// Traces: a span <see cref="RunActivityName"/> per run with tags <see cref="DatasetTag"/>, <see cref="DatasetVersionTag"/>,
/// <see cref="RunIdTag"/>, <see cref="EngineTag"/>, <see cref="RunStatusTag"/> and the run's counts, and a child span per
/// stage in the order they run: <c>ingest.lease</c>, <c>ingest.recover</c>, <c>ingest.catalog.table</c> (with a catalog),
/// <c>ingest.extract</c> (a database source), <c>ingest.raw_copy</c> (raw copies and fingerprints), <c>ingest.read_write</c> (read, convert, validate and write
/// staged files), <c>ingest.commit</c> and <c>ingest.catalog</c> (partitions). A failed stage and its run have status
/// <see cref="ActivityStatusCode.Error"/>, an <c>exception</c> event and the tag <c>error.type</c>.
/// </para>
/// <para>
/// Metrics, recorded once per run that reached the ledger (succeeded, skipped or failed) from the same record the ledger
/// holds, tagged with <see cref="DatasetTag"/> and <see cref="RunStatusTag"/>: the counters <see cref="RowsReadMetric"/>,
/// <see cref="RowsWrittenMetric"/>, <see cref="RowsRejectedMetric"/>, <see cref="BytesWrittenMetric"/>,
/// <see cref="FilesWrittenMetric"/>, <see cref="RunsMetric"/>, <see cref="RetriesMetric"/> (tagged <see cref="BackendTag"/>),
/// and the histogram <see cref="RunDurationMetric"/> in seconds. <see cref="LeaseConflictsMetric"/> counts runs that did
/// not start because another live run held the dataset's lease (the engine does not wait for a lease: it fails at once,
/// transiently), <see cref="LeaseTakeoversMetric"/> leases taken over from a dead local process.
/// </para>
/// </remarks>
public static class IngestTelemetry
{
    /// <summary>The name of the engine's <see cref="ActivitySource"/>.</summary>
    public const string ActivitySourceName = "Ingest";

    /// <summary>The name of the engine's <see cref="Meter"/>.</summary>
    public const string MeterName = "Ingest";

    /// <summary>The name of the span of a run.</summary>
    public const string RunActivityName = "ingest.run";

    /// <summary>The tag of the dataset id (<c>domain.name</c>).</summary>
    public const string DatasetTag = "ingest.dataset";

    /// <summary>The tag of the definition version a run used.</summary>
    public const string DatasetVersionTag = "ingest.dataset.version";

    /// <summary>The tag of the run id.</summary>
    public const string RunIdTag = "ingest.run.id";

    /// <summary>The tag of the definition's engine (<c>local</c>, <c>glue</c>).</summary>
    public const string EngineTag = "ingest.engine";

    /// <summary>The tag of a run's final status (<c>succeeded</c>, <c>skipped</c>, <c>failed</c>).</summary>
    public const string RunStatusTag = "ingest.run.status";

    /// <summary>The tag of the backend whose retries <see cref="RetriesMetric"/> counts (<c>aws</c>, …).</summary>
    public const string BackendTag = "ingest.backend";

    /// <summary>The counter of rows read from the inputs (unit <c>{row}</c>); also a tag of the run span.</summary>
    public const string RowsReadMetric = "ingest.rows.read";

    /// <summary>The counter of rows published to the curated zone (unit <c>{row}</c>); also a tag of the run span.</summary>
    public const string RowsWrittenMetric = "ingest.rows.written";

    /// <summary>The counter of rows written to the quarantine zone (unit <c>{row}</c>); also a tag of the run span.</summary>
    public const string RowsRejectedMetric = "ingest.rows.rejected";

    /// <summary>The counter of bytes of the files published (unit <c>By</c>); also a tag of the run span.</summary>
    public const string BytesWrittenMetric = "ingest.bytes.written";

    /// <summary>The counter of files published, curated and quarantine (unit <c>{file}</c>); also a tag of the run span.</summary>
    public const string FilesWrittenMetric = "ingest.files.written";

    /// <summary>The counter of runs recorded in the ledger (unit <c>{run}</c>).</summary>
    public const string RunsMetric = "ingest.runs";

    /// <summary>The histogram of run durations from start to end as recorded (unit <c>s</c>).</summary>
    public const string RunDurationMetric = "ingest.run.duration";

    /// <summary>The counter of requests the backends retried during runs (unit <c>{retry}</c>).</summary>
    public const string RetriesMetric = "ingest.retries";

    /// <summary>The counter of runs that found their dataset's lease held by another live run (unit <c>{run}</c>).</summary>
    public const string LeaseConflictsMetric = "ingest.lease.conflicts";

    /// <summary>The counter of leases taken over from a dead local process (unit <c>{lease}</c>).</summary>
    public const string LeaseTakeoversMetric = "ingest.lease.takeovers";

    internal const string LeaseStage = "ingest.lease";
    internal const string RecoverStage = "ingest.recover";
    internal const string CatalogTableStage = "ingest.catalog.table";
    internal const string ExtractStage = "ingest.extract";
    internal const string RawCopyStage = "ingest.raw_copy";
    internal const string ReadWriteStage = "ingest.read_write";
    internal const string CommitStage = "ingest.commit";
    internal const string CatalogStage = "ingest.catalog";

    private static readonly string? Version = typeof(IngestTelemetry).Assembly.GetName().Version?.ToString();

    internal static ActivitySource Source { get; } = new(ActivitySourceName, Version);

    private static readonly Meter Meter = new(MeterName, Version);
    private static readonly Counter<long> RowsRead = Meter.CreateCounter<long>(RowsReadMetric, "{row}", "Rows read from the inputs.");
    private static readonly Counter<long> RowsWritten = Meter.CreateCounter<long>(RowsWrittenMetric, "{row}", "Rows published to the curated zone.");
    private static readonly Counter<long> RowsRejected = Meter.CreateCounter<long>(RowsRejectedMetric, "{row}", "Rows written to the quarantine zone.");
    private static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>(BytesWrittenMetric, "By", "Bytes of the files published.");
    private static readonly Counter<long> FilesWritten = Meter.CreateCounter<long>(FilesWrittenMetric, "{file}", "Files published (curated and quarantine).");
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>(RunsMetric, "{run}", "Runs recorded in the ledger.");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(RetriesMetric, "{retry}", "Requests the backends retried during runs.");
    private static readonly Counter<long> LeaseConflicts = Meter.CreateCounter<long>(LeaseConflictsMetric, "{run}", "Runs that found their dataset's lease held by another live run.");
    private static readonly Counter<long> LeaseTakeovers = Meter.CreateCounter<long>(LeaseTakeoversMetric, "{lease}", "Leases taken over from a dead local process.");
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram(
        RunDurationMetric,
        "s",
        "Duration of a run from start to end as recorded.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });

    /// <summary>Starts the span of a run (<see langword="null"/> without a listener).</summary>
    internal static Activity? StartRun(Definitions.DatasetId dataset)
    {
        var activity = Source.StartActivity(RunActivityName, ActivityKind.Internal);
        activity?.SetTag(DatasetTag, dataset.ToString());
        return activity;
    }

    /// <summary>Tags the run span once the run has an id and a definition.</summary>
    internal static void RunStarted(Activity? run, string runId, int version, Definitions.EngineKind engine)
    {
        run?.SetTag(RunIdTag, runId)
            .SetTag(DatasetVersionTag, version)
            .SetTag(EngineTag, engine.ToString().ToLowerInvariant());
    }

    /// <summary>Tags the run span with the outcome the ledger recorded.</summary>
    internal static void RunEnded(Activity? run, RunRecord record)
    {
        if (run is null)
        {
            return;
        }

        run.SetTag(RunStatusTag, Status(record.Status))
            .SetTag(RowsReadMetric, record.RowsRead)
            .SetTag(RowsWrittenMetric, record.RowsWritten)
            .SetTag(RowsRejectedMetric, record.RowsRejected)
            .SetTag(FilesWrittenMetric, record.FilesWritten.Count)
            .SetTag(BytesWrittenMetric, record.Counters.GetValueOrDefault(IngestRunCounters.BytesWritten));
    }

    /// <summary>Marks a span failed: status <see cref="ActivityStatusCode.Error"/>, the <c>exception</c> event and <c>error.type</c>.</summary>
    internal static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null || activity.Status == ActivityStatusCode.Error)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
        activity.AddException(exception);
    }

    /// <summary>Runs one stage of a run in a span of its own.</summary>
    internal static async Task<T> StageAsync<T>(string stage, Func<Task<T>> work)
    {
        using var activity = Source.StartActivity(stage, ActivityKind.Internal);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (Record(activity, ex))
        {
            throw; // Never reached: the filter records the failure and declines, so the exception keeps its stack.
        }
    }

    /// <summary>Runs one stage of a run in a span of its own.</summary>
    internal static Task StageAsync(string stage, Func<Task> work)
        => StageAsync(stage, async () =>
        {
            await work().ConfigureAwait(false);
            return true;
        });

    /// <summary>Records the metrics of a run the ledger recorded.</summary>
    internal static void RecordRun(RunRecord run)
    {
        var tags = new TagList { { DatasetTag, run.Dataset.ToString() }, { RunStatusTag, Status(run.Status) } };
        Runs.Add(1, tags);
        RowsRead.Add(run.RowsRead, tags);
        RowsWritten.Add(run.RowsWritten, tags);
        RowsRejected.Add(run.RowsRejected, tags);
        BytesWritten.Add(run.Counters.GetValueOrDefault(IngestRunCounters.BytesWritten), tags);
        FilesWritten.Add(run.FilesWritten.Count, tags);
        if (run.EndedAt is { } ended)
        {
            RunDuration.Record((ended - run.StartedAt).TotalSeconds, tags);
        }

        foreach (var (name, value) in run.Counters)
        {
            if (IngestRunCounters.IsRetryTotal(name))
            {
                Retries.Add(value, new TagList { { DatasetTag, run.Dataset.ToString() }, { BackendTag, name[..name.IndexOf('.', StringComparison.Ordinal)] } });
            }
        }
    }

    /// <summary>Counts a run that found the lease held by another live run.</summary>
    internal static void LeaseConflict(Definitions.DatasetId dataset) => LeaseConflicts.Add(1, new KeyValuePair<string, object?>(DatasetTag, dataset.ToString()));

    /// <summary>Counts a lease taken over from a dead local process.</summary>
    internal static void LeaseTakeover(Definitions.DatasetId dataset) => LeaseTakeovers.Add(1, new KeyValuePair<string, object?>(DatasetTag, dataset.ToString()));

    /// <summary>Marks the current span failed when it is this library's span of <paramref name="stage"/> (a failure the stage absorbs).</summary>
    internal static void StageFailed(string stage, Exception exception)
    {
        if (Activity.Current is { } current && ReferenceEquals(current.Source, Source) && current.OperationName == stage)
        {
            Failed(current, exception);
        }
    }

    private static string Status(RunStatus status) => status.ToString().ToLower(CultureInfo.InvariantCulture);

    private static bool Record(Activity? activity, Exception exception)
    {
        Failed(activity, exception);
        return false;
    }
}
