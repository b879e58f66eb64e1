using Ingest.Diagnostics;
using Ingest.Engine;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

public sealed class RunCountersTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_BackendCounters_AreRecordedPerRunAndStartFromZero()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var counting = new CountingLake(_h.Backends.Lake);
        var pipeline = new IngestPipelineBuilder(_h.Backends with { Lake = counting }).ForDataset(id).Build();

        var first = await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.00,1\n")]);
        var second = await pipeline.RunAsync([EngineHarness.Text("b.csv", "id,customer,amount,qty\n2,b,2.00,2\n")]);

        first.Run.Counters["test.writes"].Should().BeGreaterThan(0);
        second.Run.Counters["test.writes"].Should().Be(first.Run.Counters["test.writes"], "each run counts its own writes from zero");
        (await _h.Backends.Ledger.GetRunAsync(id, first.Run.RunId))!.Counters.Should().Equal(first.Run.Counters);
    }

    [Fact]
    public void Increment_OutsideARun_DoesNothing()
    {
        var act = () => IngestRunCounters.Increment("nobody.listens");

        act.Should().NotThrow();
    }

    private sealed class CountingLake(ILakeStorage inner) : ILakeStorage
    {
        public Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
        {
            IngestRunCounters.Increment("test.writes");
            return inner.OpenWriteAsync(zone, key, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(zone, key, cancellationToken);

        public Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => inner.GetAsync(zone, key, cancellationToken);

        public IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(zone, prefix, cancellationToken);

        public Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(zone, key, cancellationToken);

        public Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default) => inner.PromoteAsync(zone, sourceKey, destinationKey, cancellationToken);

        public Task<int> AbortIncompleteWritesAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default) => inner.AbortIncompleteWritesAsync(zone, prefix, cancellationToken);

        public string GetAddress(LakeZone zone, string key) => inner.GetAddress(zone, key);
    }
}
