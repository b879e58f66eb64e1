using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Testing;
using Microsoft.Extensions.Logging;

namespace Ingest.Local.Tests;

/// <summary>
/// The traces and metrics of real local runs (SQLite ledger, folder lake, DuckDB catalog) as a host sees them through an
/// <see cref="ActivityListener"/> and a <see cref="MeterListener"/> on <see cref="IngestTelemetry"/>'s names. Other tests run
/// in parallel in this process, so spans are taken by this run's trace and measurements by this test's dataset.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private const string Csv = "id,customer,amount,qty\n1,ann,10.50,1\n2,bob,x,2\n3,cy,7.25,3\n4,dee,1.00,4\n";

    private static readonly string[] Stages =
    [
        "ingest.lease", "ingest.recover", "ingest.catalog.table", "ingest.raw_copy", "ingest.read_write", "ingest.commit", "ingest.catalog",
    ];

    private readonly TempRoot _root = new();
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly DatasetId _dataset = IngestTestData.NewDatasetId("telemetry");

    public TelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == IngestTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IngestTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
        _root.Dispose();
    }

    [Theory]
    [InlineData(TableFormat.Iceberg)]
    [InlineData(TableFormat.Hive)]
    public async Task Run_SpanPerRunWithStageSpansInOrder_TaggedWithTheRunsResult(TableFormat format)
    {
        var backends = await RegisteredAsync(format);

        var result = await new IngestPipelineBuilder(backends).ForDataset(_dataset).Build().RunAsync([Input("orders.csv")]);

        result.Run.RowsRejected.Should().Be(1, "the test needs a reject to tell the counts apart");
        var run = RunSpan();
        run.OperationName.Should().Be(IngestTelemetry.RunActivityName);
        run.Parent.Should().BeNull();
        run.Status.Should().Be(ActivityStatusCode.Unset);
        run.GetTagItem(IngestTelemetry.RunIdTag).Should().Be(result.Run.RunId);
        run.GetTagItem(IngestTelemetry.DatasetVersionTag).Should().Be(1);
        run.GetTagItem(IngestTelemetry.EngineTag).Should().Be("local");
        run.GetTagItem(IngestTelemetry.RunStatusTag).Should().Be("succeeded");
        run.GetTagItem(IngestTelemetry.RowsReadMetric).Should().Be(4L);
        run.GetTagItem(IngestTelemetry.RowsWrittenMetric).Should().Be(result.Run.RowsWritten).And.Be(3L);
        run.GetTagItem(IngestTelemetry.RowsRejectedMetric).Should().Be(1L);
        run.GetTagItem(IngestTelemetry.FilesWrittenMetric).Should().Be(result.Run.FilesWritten.Count);
        run.GetTagItem(IngestTelemetry.BytesWrittenMetric).Should().Be(result.Run.Counters[IngestRunCounters.BytesWritten]).And.BeOfType<long>().Which.Should().BePositive();

        var stages = Children(run);
        stages.Select(s => s.OperationName).Should().Equal(Stages);
        stages.Should().OnlyContain(s => s.ParentSpanId == run.SpanId && s.Status == ActivityStatusCode.Unset && s.Duration > TimeSpan.Zero);
        for (var i = 1; i < stages.Count; i++)
        {
            stages[i].StartTimeUtc.Should().BeOnOrAfter(stages[i - 1].StartTimeUtc + stages[i - 1].Duration, $"{stages[i].OperationName} starts after {stages[i - 1].OperationName} ended");
        }

        (run.StartTimeUtc + run.Duration).Should().BeOnOrAfter(stages[^1].StartTimeUtc + stages[^1].Duration);
    }

    [Fact]
    public async Task Run_Metrics_EqualTheRunsResult()
    {
        var backends = await RegisteredAsync();

        var result = await new IngestPipelineBuilder(backends).ForDataset(_dataset).Build().RunAsync([Input("orders.csv")]);

        Sum(IngestTelemetry.RunsMetric, "succeeded").Should().Be(1);
        Sum(IngestTelemetry.RowsReadMetric).Should().Be(result.Run.RowsRead).And.Be(4);
        Sum(IngestTelemetry.RowsWrittenMetric).Should().Be(result.Run.RowsWritten).And.Be(3);
        Sum(IngestTelemetry.RowsRejectedMetric).Should().Be(result.Run.RowsRejected).And.Be(1);
        Sum(IngestTelemetry.FilesWrittenMetric).Should().Be(result.Run.FilesWritten.Count).And.BeGreaterThanOrEqualTo(2, "a curated and a quarantine file");
        Sum(IngestTelemetry.BytesWrittenMetric).Should().Be(result.Run.Counters[IngestRunCounters.BytesWritten]);
        var duration = Mine(IngestTelemetry.RunDurationMetric).Should().ContainSingle().Subject;
        duration.Value.Should().BeApproximately((result.Run.EndedAt!.Value - result.Run.StartedAt).TotalSeconds, 1e-6);
        duration.Tags[IngestTelemetry.RunStatusTag].Should().Be("succeeded");

        // The second run of the same bytes is skipped: it counts as a run and adds no rows.
        await new IngestPipelineBuilder(backends).ForDataset(_dataset).Build().RunAsync([Input("orders.csv")]);
        Sum(IngestTelemetry.RunsMetric, "skipped").Should().Be(1);
        Sum(IngestTelemetry.RowsWrittenMetric).Should().Be(3);
    }

    [Fact]
    public async Task FailingRun_ErrorSpansWithTheException_FailedRunCounted_AndTheLogCarriesTheException()
    {
        var backends = await RegisteredAsync();
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        // A transform that fails on the third row: the run stops in the row loop, after the raw copy.
        var rows = 0;
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(_dataset).UseLoggerFactory(loggerFactory)
            .AddTransform(_ =>
            {
                if (++rows == 3)
                {
                    throw new InvalidOperationException("the transform gave up");
                }
            })
            .Build();

        var thrown = (await pipeline.Invoking(p => p.RunAsync([Input("orders.csv")])).Should().ThrowAsync<Exception>()).Which;

        var run = RunSpan();
        run.Status.Should().Be(ActivityStatusCode.Error);
        run.StatusDescription.Should().Be(thrown.Message);
        run.GetTagItem("error.type").Should().Be(thrown.GetType().FullName);
        run.GetTagItem(IngestTelemetry.RunStatusTag).Should().Be("failed");
        var exception = run.Events.Should().ContainSingle(e => e.Name == "exception").Subject;
        exception.Tags.Should().Contain(new KeyValuePair<string, object?>("exception.type", thrown.GetType().FullName))
            .And.Contain(new KeyValuePair<string, object?>("exception.message", thrown.Message));
        var stages = Children(run);
        stages.Select(s => s.OperationName).Should().Equal(Stages[..5], "the run stops in the row loop");
        stages[^1].Status.Should().Be(ActivityStatusCode.Error);
        stages[^1].Events.Should().ContainSingle(e => e.Name == "exception");
        stages[..^1].Should().OnlyContain(s => s.Status == ActivityStatusCode.Unset);

        Sum(IngestTelemetry.RunsMetric, "failed").Should().Be(1);
        Sum(IngestTelemetry.RowsWrittenMetric).Should().Be(0, "nothing of a failed run is published");

        var failed = logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1002).Subject;
        failed.Exception.Should().BeSameAs(thrown);
        failed.Message.Should().Contain(thrown.Message);
    }

    [Fact]
    public async Task Run_BackendRetries_CountedByBackendAsInTheRunsCounters()
    {
        var backends = await RegisteredAsync();
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(_dataset)
            .AddTransform(row =>
            {
                if (row.Get<long>("id") == 1)
                {
                    IngestRunCounters.Increment("flaky.retries", 2);
                }
            })
            .Build();

        var result = await pipeline.RunAsync([Input("orders.csv")]);

        result.Run.Counters["flaky.retries"].Should().Be(2);
        var retries = Mine(IngestTelemetry.RetriesMetric).Should().ContainSingle().Subject;
        retries.Value.Should().Be(2);
        retries.Tags[IngestTelemetry.BackendTag].Should().Be("flaky");
    }

    [Fact]
    public async Task Run_LeaseHeldByALiveRun_CountsAConflictAndFailsTheLeaseSpan()
    {
        var backends = await RegisteredAsync();
        var holder = new LeaseOwner("20260101T000000Z-0000beef", Environment.MachineName, Environment.ProcessId);
        (await backends.Ledger.TryAcquireLeaseAsync(_dataset, holder, TimeSpan.FromMinutes(5))).Acquired.Should().BeTrue();

        var thrown = (await new IngestPipelineBuilder(backends).ForDataset(_dataset).Build()
            .Invoking(p => p.RunAsync([Input("orders.csv")])).Should().ThrowAsync<ConcurrencyConflictException>()).Which;

        Sum(IngestTelemetry.LeaseConflictsMetric).Should().Be(1);
        Sum(IngestTelemetry.RunsMetric).Should().Be(0, "a run that never took the lease is not recorded");
        var run = RunSpan();
        run.Status.Should().Be(ActivityStatusCode.Error);
        run.StatusDescription.Should().Be(thrown.Message);
        var lease = Children(run).Should().ContainSingle().Subject;
        lease.OperationName.Should().Be("ingest.lease");
        lease.Status.Should().Be(ActivityStatusCode.Error);
        lease.GetTagItem("error.type").Should().Be(typeof(ConcurrencyConflictException).FullName);
    }

    private async Task<IngestBackends> RegisteredAsync(TableFormat format = TableFormat.Iceberg)
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(IngestTestData.Definition(_dataset) with
        {
            Quality = new QualitySettings { MaxRejectRatio = 0.5 },
            Table = new TableSettings { Format = format },
        });
        return backends;
    }

    private static IngestInput Input(string name)
        => IngestInput.FromStream(name, _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(Csv))));

    private Activity RunSpan()
        => _started.Should().ContainSingle(a => a.OperationName == IngestTelemetry.RunActivityName && Equals(a.GetTagItem(IngestTelemetry.DatasetTag), _dataset.ToString())).Subject;

    private List<Activity> Children(Activity run) => [.. _started.Where(a => a.TraceId == run.TraceId && a != run)];

    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Mine(string instrument)
        => [.. _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(IngestTelemetry.DatasetTag), _dataset.ToString()))];

    private double Sum(string instrument, string? status = null)
        => Mine(instrument).Where(m => status is null || Equals(m.Tags[IngestTelemetry.RunStatusTag], status)).Sum(m => m.Value);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(EventId EventId, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Entries.Enqueue((eventId, formatter(state, exception), exception));
        }
    }
}
