using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

public sealed class InitTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.InMemory();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Init_NewFolder_CreatesHomeAndPrintsNextSteps()
    {
        var result = await _cli.RunAsync("init");

        result.ExitCode.Should().Be(0, result.ToString());
        Directory.Exists(_cli.Home).Should().BeTrue();
        File.Exists(Path.Combine(_cli.Home, "dataset-definition.schema.json")).Should().BeTrue();
        result.Output.Should().Contain("Created ingest home at").And.Contain("Next steps")
            .And.Contain("ingest datasets add").And.Contain("ingest run").And.Contain("ingest query");
    }

    [Fact]
    public async Task Init_ExistingFolder_SucceedsAndSaysSo()
    {
        await _cli.InitAsync();

        var result = await _cli.RunAsync("init");

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("already exists");
    }
}
