using Ingest.Catalog;
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

    private static IServiceCollection Register(IServiceCollection services, Action<FakeOptions>? configure = null, bool withCatalogAndQuery = false)
    {
        var options = services.AddOptions<FakeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services.AddIngestBackends(
            options,
            o => o.Where == "memory" ? [] : [$"FakeOptions.Where '{o.Where}' is not supported."],
            (_, clock, _) => InMemoryIngest.CreateBackends(clock),
            withCatalogAndQuery);
    }

    [Fact]
    public async Task AddIngestBackends_RegistersOneSetOfBackendsAndTheEngineRunsOnThem()
    {
        await using var provider = Register(new ServiceCollection().AddIngest()).BuildServiceProvider();

        var backends = provider.GetRequiredService<IngestBackends>();

        backends.Lake.Should().BeSameAs(provider.GetRequiredService<ILakeStorage>()).And.BeOfType<InMemoryLakeStorage>();
        provider.GetService<IQueryEngine>().Should().BeNull("the package said it brings no catalog or query engine");
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
    public async Task AddIngestBackends_WithCatalogAndQueryButNoneBuilt_SaysWhichOptionsLackThem()
    {
        await using var provider = Register(new ServiceCollection(), withCatalogAndQuery: true).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IQueryEngine>();

        act.Should().Throw<InvalidOperationException>().WithMessage("The backends built from FakeOptions have no query engine.");
    }
}
