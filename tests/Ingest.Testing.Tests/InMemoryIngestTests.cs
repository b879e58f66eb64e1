using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Testing.Tests;

public sealed class InMemoryIngestTests
{
    [Fact]
    public async Task CreateBackends_SharesTheClock_AndHasNoQueryEngine()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var backends = InMemoryIngest.CreateBackends(clock);

        backends.Lake.Should().BeOfType<InMemoryLakeStorage>();
        backends.Registry.Should().BeOfType<InMemorySchemaRegistry>();
        backends.Ledger.Should().BeOfType<InMemoryRunLedger>();
        backends.Catalog.Should().BeOfType<InMemoryCatalog>();
        backends.Query.Should().BeNull();
        (await backends.Registry.RegisterAsync(IngestTestData.Definition(IngestTestData.NewDatasetId()))).RegisteredAt.Should().Be(clock.GetUtcNow());
        await using (var writer = await backends.Lake.OpenWriteAsync(LakeZone.Raw, "a/b"))
        {
            await writer.CompleteAsync();
        }

        (await backends.Lake.GetAsync(LakeZone.Raw, "a/b"))!.LastModified.Should().Be(clock.GetUtcNow());
    }

    [Fact]
    public void CreateBackends_EachCallIsIndependent()
    {
        InMemoryIngest.CreateBackends().Lake.Should().NotBeSameAs(InMemoryIngest.CreateBackends().Lake);
    }

    [Fact]
    public async Task AddIngestInMemory_RegistersSingletonsAndKeepsEarlierRegistrations()
    {
        var clock = new FakeTimeProvider();
        var ownLedger = new InMemoryRunLedger(clock);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IRunLedger>(ownLedger)
            .AddIngestInMemory()
            .AddIngestInMemory();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IRunLedger>().Should().BeSameAs(ownLedger);
        provider.GetRequiredService<ILakeStorage>().Should().BeSameAs(provider.GetRequiredService<InMemoryLakeStorage>());
        provider.GetRequiredService<ISchemaRegistry>().Should().BeSameAs(provider.GetRequiredService<InMemorySchemaRegistry>());
        provider.GetRequiredService<ICatalog>().Should().BeSameAs(provider.GetRequiredService<InMemoryCatalog>());
        (await provider.GetRequiredService<ISchemaRegistry>().RegisterAsync(IngestTestData.Definition(IngestTestData.NewDatasetId())))
            .RegisteredAt.Should().Be(clock.GetUtcNow());
        services.Count(d => d.ServiceType == typeof(ILakeStorage)).Should().Be(1);
    }

    [Fact]
    public async Task AddIngestInMemory_WithAddIngest_ResolvesBackends()
    {
        var services = new ServiceCollection().AddIngestInMemory().AddIngest();
        await using var provider = services.BuildServiceProvider();

        var backends = provider.GetRequiredService<IngestBackends>();

        backends.Catalog.Should().BeSameAs(provider.GetRequiredService<InMemoryCatalog>());
        backends.Query.Should().BeNull();
    }
}

public sealed class InMemoryCatalogTests
{
    [Fact]
    public async Task EnsureTableAndAddPartitions_AreRecordedForAssertions()
    {
        var catalog = new InMemoryCatalog();
        var registry = new InMemorySchemaRegistry();
        var definition = await registry.RegisterAsync(IngestTestData.Definition(IngestTestData.NewDatasetId()));

        await catalog.EnsureTableAsync(definition);
        await catalog.AddPartitionsAsync(definition, ["d=2024-01-02", "d=2024-01-01"]);
        await catalog.AddPartitionsAsync(definition, ["d=2024-01-01"]);

        catalog.Tables.Should().ContainKey(definition.Dataset).WhoseValue.Should().BeSameAs(definition);
        catalog.GetPartitions(definition.Dataset).Should().Equal("d=2024-01-01", "d=2024-01-02");
        catalog.GetPartitions(IngestTestData.NewDatasetId()).Should().BeEmpty();
    }

    [Fact]
    public async Task AddPartitionsAsync_BeforeEnsureTable_Throws()
    {
        var catalog = new InMemoryCatalog();
        var definition = await new InMemorySchemaRegistry().RegisterAsync(IngestTestData.Definition(IngestTestData.NewDatasetId()));

        await FluentActions.Awaiting(() => catalog.AddPartitionsAsync(definition, ["x=1"])).Should().ThrowAsync<InvalidOperationException>();
    }
}

public sealed class InMemoryLakeStorageTests
{
    [Fact]
    public async Task WriteStream_IsWriteOnlyAndNotSeekable_LikeAnUpload()
    {
        var lake = new InMemoryLakeStorage();
        await using var writer = await lake.OpenWriteAsync(LakeZone.Raw, "x");

        writer.Stream.CanSeek.Should().BeFalse();
        writer.Stream.CanRead.Should().BeFalse();
        await writer.Stream.WriteAsync(new byte[] { 1, 2, 3 });
        writer.Stream.Position.Should().Be(3, "the byte count is available, as Parquet writers need it");
        FluentActions.Invoking(() => writer.Stream.Seek(0, SeekOrigin.Begin)).Should().Throw<NotSupportedException>();
    }

    [Fact]
    public async Task CompleteAsync_Twice_Throws()
    {
        var lake = new InMemoryLakeStorage();
        await using var writer = await lake.OpenWriteAsync(LakeZone.Raw, "x");
        await writer.CompleteAsync();

        await FluentActions.Awaiting(() => writer.CompleteAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task InvalidZone_IsRefused()
    {
        var lake = new InMemoryLakeStorage();

        await FluentActions.Awaiting(() => lake.GetAsync(new LakeZone(".."), "x")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => lake.GetAsync(default, "x")).Should().ThrowAsync<ArgumentException>();
    }
}
