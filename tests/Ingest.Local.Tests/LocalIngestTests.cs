using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Local.Tests;

public sealed class LocalIngestTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void CreateBackends_SetsEveryBackend_AndWritesNothingYet()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);

        backends.Lake.Should().NotBeNull();
        backends.Registry.Should().NotBeNull();
        backends.Ledger.Should().NotBeNull();
        backends.Catalog.Should().NotBeNull();
        backends.Query.Should().NotBeNull();
        Directory.EnumerateFileSystemEntries(_root.Path).Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("lake[1]")]
    public void CreateBackends_InvalidRoot_ThrowsNamingTheField(string root)
    {
        var act = () => LocalIngest.CreateBackends(new LocalIngestOptions { Root = root });

        act.Should().Throw<ArgumentException>().WithMessage("*LocalIngestOptions.Root*");
    }

    [Fact]
    public void CreateBackends_InvalidBusyTimeout_ThrowsNamingTheField()
    {
        var act = () => LocalIngest.CreateBackends(new LocalIngestOptions { Root = _root.Path, BusyTimeout = TimeSpan.Zero });

        act.Should().Throw<ArgumentException>().WithMessage("*LocalIngestOptions.BusyTimeout*");
    }

    [Fact]
    public void Options_Defaults()
    {
        var options = new LocalIngestOptions();

        options.Root.Should().Be(".ingest");
        options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AddIngestLocal_ResolvesSingletonsOverOneRoot_AndKeepsEarlierRegistrations()
    {
        var ownCatalog = new Testing.InMemoryCatalog();
        var services = new ServiceCollection()
            .AddSingleton<ICatalog>(ownCatalog)
            .AddIngestLocal(o => o.Root = _root.Path)
            .AddIngest();
        await using var provider = services.BuildServiceProvider();

        var backends = provider.GetRequiredService<IngestBackends>();

        backends.Catalog.Should().BeSameAs(ownCatalog);
        backends.Lake.Should().BeSameAs(provider.GetRequiredService<ILakeStorage>());
        backends.Registry.Should().BeSameAs(provider.GetRequiredService<ISchemaRegistry>());
        backends.Ledger.Should().BeSameAs(provider.GetRequiredService<IRunLedger>());
        backends.Query.Should().BeSameAs(provider.GetRequiredService<IQueryEngine>());
        await backends.Registry.RegisterAsync(Testing.IngestTestData.Definition(Testing.IngestTestData.NewDatasetId()));
        File.Exists(Path.Combine(_root.Path, LocalIngest.DatabaseFileName)).Should().BeTrue();
    }

    [Fact]
    public async Task AddIngestLocal_InvalidOptions_FailValidation()
    {
        var services = new ServiceCollection().AddIngestLocal(o => o.Root = "");
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<LocalIngestOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*LocalIngestOptions.Root*");
    }

    [Fact]
    public async Task AddIngestLocal_InvalidOptions_FailTheHostsStart_BeforeAnyBackendIsBuilt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders(); // a failed start logs to the console, which other tests capture
        builder.Services.AddIngest().AddIngestLocal(o =>
        {
            o.Root = _root.Path;
            o.BusyTimeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().ContainSingle()
            .Which.Should().Be("LocalIngestOptions.BusyTimeout 00:00:00 is out of range: expected more than 0 and at most 10 minutes.");
        Directory.EnumerateFileSystemEntries(_root.Path).Should().BeEmpty("no backend was built, so nothing was written");
    }

    [Fact]
    public async Task AddIngestLocal_FromConfiguration_BindsRoot()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Ingest:Local:Root"] = _root.Path, ["Ingest:Local:BusyTimeout"] = "00:00:03" })
            .Build();
        await using var provider = new ServiceCollection().AddIngestLocal(configuration.GetSection("Ingest:Local")).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<LocalIngestOptions>>().Value;

        options.Root.Should().Be(_root.Path);
        options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(3));
        provider.GetRequiredService<ILakeStorage>().GetAddress(LakeZone.Raw, "x").Should().StartWith(Path.GetFullPath(_root.Path));
    }
}
