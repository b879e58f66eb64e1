using Ingest.Catalog;
using Ingest.Extensibility;
using Ingest.Storage;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.DependencyInjection;

public sealed class IngestBackendServiceCollectionExtensionsTests
{
    private sealed class FakeOptions
    {
        public string Where { get; set; } = "memory";
    }

    private static IServiceCollection Register(IServiceCollection services, Action<FakeOptions>? configure = null)
    {
        var options = services.AddOptions<FakeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services.AddIngestBackends(
            options,
            o => o.Where == "memory" ? [] : [$"FakeOptions.Where '{o.Where}' is not supported."],
            (_, sp) => InMemoryIngest.CreateBackends(sp.GetRequiredService<TimeProvider>()));
    }

    [Fact]
    public async Task AddIngestBackends_RegistersOneSetOfBackendsAndTheEngineRunsOnThem()
    {
        await using var provider = Register(new ServiceCollection().AddIngest()).BuildServiceProvider();

        var backends = provider.GetRequiredService<IngestBackends>();

        backends.Lake.Should().BeSameAs(provider.GetRequiredService<ILakeStorage>()).And.BeOfType<InMemoryLakeStorage>();
        provider.GetService<IQueryEngine>().Should().BeNull("the in-memory backends have no query engine");
        provider.GetService<ICatalog>().Should().BeSameAs(backends.Catalog).And.NotBeNull("the in-memory backends bring their catalog");
    }

    [Fact]
    public async Task AddIngestBackends_InvalidOptions_FailWithTheValidatorsMessage()
    {
        await using var provider = Register(new ServiceCollection(), o => o.Where = "mars").BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<FakeOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*FakeOptions.Where 'mars' is not supported.*");
    }

    [Fact]
    public async Task AddIngestBackends_KeepsAPartRegisteredEarlier()
    {
        var mine = new InMemoryLakeStorage();
        var services = new ServiceCollection().AddSingleton<ILakeStorage>(mine);

        await using var provider = Register(services).BuildServiceProvider();

        provider.GetRequiredService<ILakeStorage>().Should().BeSameAs(mine);
    }

    [Fact]
    public async Task AddIngestBackends_BuildsTheBackendsFromTheContainer()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddIngest();
        await using var provider = Register(services).BuildServiceProvider();

        var registered = await provider.GetRequiredService<IngestBackends>().Registry.RegisterAsync(IngestTestData.Definition(IngestTestData.NewDatasetId("sales")));

        registered.RegisteredAt.Should().Be(clock.GetUtcNow(), "create got the container's clock, registered before");
    }
}
