using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Engine;

public sealed class LeaseRenewalTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly EngineHarness _h;

    public LeaseRenewalTests() => _h = new EngineHarness(_time);

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_OneRenewalThrows_TheRunStillSucceedsAndSaysSo()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var ledger = new FailingRenewalLedger(_h.Backends.Ledger);
        var lease = TimeSpan.FromMinutes(3);
        var pipeline = new IngestPipelineBuilder(_h.Backends with { Ledger = ledger })
            .ForDataset(id)
            .UseTimeProvider(_time)
            .Configure(o => o.LeaseDuration = lease)
            .AddTransform(row =>
            {
                if (row.SourceLine == 2)
                {
                    _time.Advance(lease / 3); // the renewal is due; the ledger has a hiccup
                    SpinWait.SpinUntil(() => ledger.Renewals >= 1, TimeSpan.FromSeconds(10)).Should().BeTrue("the renewal ran");
                }
            })
            .Build();

        var result = await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.00,1\n2,b,2.00,2\n")]);

        ledger.Renewals.Should().BeGreaterThanOrEqualTo(2, "the failed renewal and the check before the commit point");
        result.Run.Status.Should().Be(RunStatus.Succeeded);
        (await _h.Backends.Ledger.GetRunAsync(id, result.Run.RunId))!.Status.Should().Be(RunStatus.Succeeded);
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(2L);
    }

    /// <summary>A ledger whose first lease renewal fails with a non-transient error.</summary>
    private sealed class FailingRenewalLedger(IRunLedger inner) : IRunLedger
    {
        public int Renewals { get; private set; }

        public Task<bool> RenewLeaseAsync(DatasetId dataset, string runId, TimeSpan duration, CancellationToken cancellationToken = default)
            => ++Renewals == 1
                ? throw new InvalidOperationException("simulated ledger hiccup")
                : inner.RenewLeaseAsync(dataset, runId, duration, cancellationToken);

        public Task<LeaseResult> TryAcquireLeaseAsync(DatasetId dataset, LeaseOwner owner, TimeSpan duration, string? takeOverFrom = null, CancellationToken cancellationToken = default)
            => inner.TryAcquireLeaseAsync(dataset, owner, duration, takeOverFrom, cancellationToken);

        public Task ReleaseLeaseAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(dataset, runId, cancellationToken);

        public Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default) => inner.StartRunAsync(run, cancellationToken);

        public Task CompleteRunAsync(RunRecord run, CancellationToken cancellationToken = default) => inner.CompleteRunAsync(run, cancellationToken);

        public Task<RunRecord?> GetRunAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default) => inner.GetRunAsync(dataset, runId, cancellationToken);

        public IAsyncEnumerable<RunRecord> ListRunsAsync(DatasetId dataset, CancellationToken cancellationToken = default) => inner.ListRunsAsync(dataset, cancellationToken);

        public Task<SourceFingerprint?> FindSourceAsync(DatasetId dataset, string sha256, CancellationToken cancellationToken = default) => inner.FindSourceAsync(dataset, sha256, cancellationToken);
    }
}
