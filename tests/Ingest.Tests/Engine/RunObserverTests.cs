using Ingest.Diagnostics;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Engine;

public sealed class RunObserverTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_SucceededSkippedAndFailed_EachTellsTheObserversTheLedgerRecord()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var first = new Recorder();
        var second = new Recorder();
        var pipeline = new IngestPipelineBuilder(_h.Backends).ForDataset(id).AddRunObserver(first).AddRunObserver(second).Build();
        var good = EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.50,1\n2,b,2.50,2\n");

        var succeeded = await pipeline.RunAsync([good]);
        var skipped = await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.50,1\n2,b,2.50,2\n")]);
        var failing = () => pipeline.RunAsync([EngineHarness.Text("bad.csv", "id,customer,amount,qty\n3,c,x,1\n")]);
        await failing.Should().ThrowAsync<DataValidationException>();

        first.Runs.Select(r => r.Status).Should().Equal(RunStatus.Succeeded, RunStatus.Skipped, RunStatus.Failed);
        second.Runs.Should().Equal(first.Runs, "every observer sees every run");
        var ledger = await _h.Backends.Ledger.ListRunsAsync(id).Reverse().ToListAsync();
        first.Runs.Should().BeEquivalentTo(ledger, "the observer gets the record the ledger holds");
        first.Runs[0].Should().BeEquivalentTo(succeeded.Run);
        first.Runs[1].RunId.Should().Be(skipped.Run.RunId);
        first.Runs[2].Error.Should().Contain("maxRejectRatio");
    }

    [Fact]
    public async Task RunAsync_ObserverThrows_TheRunStillSucceeds()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var after = new Recorder();
        var pipeline = new IngestPipelineBuilder(_h.Backends).ForDataset(id).AddRunObserver(new Throwing()).AddRunObserver(after).Build();

        var result = await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.50,1\n")]);

        result.Run.Status.Should().Be(RunStatus.Succeeded);
        after.Runs.Should().ContainSingle("an observer that throws does not keep the next from being told");
    }

    [Fact]
    public async Task Metrics_FromTheRecord_BytesAreThePublishedFilesAndRetriesTheBackendTotals()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new Ingest.Definitions.QualitySettings { MaxRejectRatio = 1 } });
        var pipeline = new IngestPipelineBuilder(_h.Backends).ForDataset(id).Build();

        var run = (await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.50,1\n2,b,x,2\n")])).Run;
        var metrics = IngestRunMetrics.FromRun(run with { Counters = new Dictionary<string, long>(run.Counters) { ["x.retries"] = 2, ["x.y.retries"] = 5 } });

        long published = 0;
        foreach (var file in run.FilesWritten)
        {
            var zone = Ingest.Storage.LakeZone.All.Single(z => file.StartsWith(z.Name + "/", StringComparison.Ordinal));
            published += (await _h.Backends.Lake.GetAsync(zone, file[(zone.Name.Length + 1)..]))!.Size;
        }

        metrics.FilesWritten.Should().Be(2, "one curated and one quarantine file");
        metrics.BytesWritten.Should().Be(published).And.BePositive();
        metrics.AverageFileSizeBytes.Should().Be(published / 2.0);
        metrics.Retries.Should().Be(2, "x.y.retries is a part of x.retries");
        metrics.Duration.Should().Be(run.EndedAt - run.StartedAt);
        run.Counters[IngestRunCounters.BytesRead].Should().Be("id,customer,amount,qty\n1,a,1.50,1\n2,b,x,2\n".Length);
    }

    [Fact]
    public async Task PipelineFactory_UsesEveryRegisteredObserver()
    {
        var recorder = new Recorder();
        await using var provider = new ServiceCollection()
            .AddSingleton(_h.Backends)
            .AddSingleton<IIngestRunObserver>(recorder)
            .AddIngest()
            .BuildServiceProvider();
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));

        var pipeline = provider.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(id).Build();
        await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.50,1\n")]);

        recorder.Runs.Should().ContainSingle().Which.Status.Should().Be(RunStatus.Succeeded);
    }

    private sealed class Recorder : IIngestRunObserver
    {
        public List<RunRecord> Runs { get; } = [];

        public void OnRunCompleted(RunRecord run) => Runs.Add(run);
    }

    private sealed class Throwing : IIngestRunObserver
    {
        public void OnRunCompleted(RunRecord run) => throw new InvalidOperationException("metrics sink down");
    }
}
