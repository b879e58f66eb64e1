using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ingest.Diagnostics;
using Spectre.Console;

namespace OnPremToAthena;

/// <summary>
/// Listens to the engine's <see cref="ActivitySource"/> (<see cref="IngestTelemetry.ActivitySourceName"/>) as a host's
/// tracer would, and prints one line per run at the end: its status and the duration of each stage. An OpenTelemetry host
/// gets the same spans with <c>AddSource(IngestTelemetry.ActivitySourceName)</c> (root README, "Observability").
/// </summary>
internal sealed class TraceSummary : IDisposable
{
    private static readonly (string Stage, string Header)[] Stages =
    [
        ("ingest.lease", "lease"), ("ingest.recover", "recover"), ("ingest.catalog.table", "table"), ("ingest.extract", "extract"),
        ("ingest.raw_copy", "raw copy"),
        ("ingest.read_write", "read/write"), ("ingest.commit", "commit"), ("ingest.catalog", "catalog"),
    ];

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TraceSummary()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == IngestTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Prints the runs' stage durations and checks that every run left a span with its stages under it.</summary>
    public void Render(Checks checks)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.Write(new Rule("[bold yellow]Traces[/]").LeftJustified());
        AnsiConsole.MarkupLine($"[grey]The spans of the \"{IngestTelemetry.ActivitySourceName}\" activity source, one row per run (milliseconds).[/]");
        var spans = _stopped.ToList();
        var runs = spans.Where(s => s.OperationName == IngestTelemetry.RunActivityName).OrderBy(s => s.StartTimeUtc).ToList();
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns(["dataset", "status", .. Stages.Select(s => s.Header), "run"]);
        foreach (var i in Enumerable.Range(2, Stages.Length + 1))
        {
            table.Columns[i].RightAligned();
        }

        var withStages = 0;
        foreach (var run in runs)
        {
            var children = spans.Where(s => s.ParentSpanId == run.SpanId && s.TraceId == run.TraceId).ToList();
            withStages += children.Count > 0 ? 1 : 0;
            var status = Convert.ToString(run.GetTagItem(IngestTelemetry.RunStatusTag), CultureInfo.InvariantCulture) ?? "not started";
            table.AddRow(
            [
                Markup.Escape(Convert.ToString(run.GetTagItem(IngestTelemetry.DatasetTag), CultureInfo.InvariantCulture) ?? string.Empty),
                run.Status == ActivityStatusCode.Error ? $"[red]{Markup.Escape(status)}[/]" : Markup.Escape(status),
                .. Stages.Select(stage => Milliseconds(children.Where(c => c.OperationName == stage.Stage))),
                Milliseconds([run]),
            ]);
        }

        AnsiConsole.Write(table);
        checks.That("every run left a trace with its stages", runs.Count > 0 && withStages == runs.Count, $"{runs.Count} run span(s), {withStages} with stage spans");
    }

    private static string Milliseconds(IEnumerable<Activity> spans)
    {
        var list = spans.ToList();
        return list.Count == 0 ? "–" : list.Sum(s => s.Duration.TotalMilliseconds).ToString("#,0.0", CultureInfo.InvariantCulture);
    }
}
