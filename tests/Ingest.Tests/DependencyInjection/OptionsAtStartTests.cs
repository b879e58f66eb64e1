using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.DependencyInjection;

/// <summary>A bad option fails the host's start with one line per problem, before any run.</summary>
public sealed class OptionsAtStartTests
{
    [Fact]
    public async Task AddIngest_BadOptions_FailTheHostsStart_NamingEachOption()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders(); // a failed start logs to the console, which other tests capture
        builder.Services
            .AddIngest(o =>
            {
                o.MaxOpenFiles = 0;
                o.LeaseDuration = TimeSpan.FromHours(13);
            })
            .AddIngestInMemory();
        using var host = builder.Build();

        var act = () => host.StartAsync();

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().BeEquivalentTo(
            "IngestPipelineOptions.LeaseDuration 13:00:00 is out of range: expected between 1 second and 12 hours.",
            "IngestPipelineOptions.MaxOpenFiles 0 is out of range: expected 1 to 10,000.");
    }

    [Fact]
    public async Task AddIngest_GoodOptions_StartTheHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders(); // a failed start logs to the console, which other tests capture
        builder.Services.AddIngest(o => o.MaxOpenFiles = 10).AddIngestInMemory();
        using var host = builder.Build();

        await host.StartAsync();

        host.Services.GetRequiredService<IOptions<Ingest.Engine.IngestPipelineOptions>>().Value.MaxOpenFiles.Should().Be(10);
        await host.StopAsync();
    }
}
