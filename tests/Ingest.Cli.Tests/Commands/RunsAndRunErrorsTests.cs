using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

public sealed class RunsAndRunErrorsTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = CliHarness.InMemory();

    public async Task InitializeAsync()
    {
        await _cli.InitAsync();
        var added = await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));
        added.ExitCode.Should().Be(0, added.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Run_UnknownDataset_Exits2AndNamesIt()
    {
        var csv = _cli.WriteFile("orders.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,1.00\n");

        var result = await _cli.RunAsync("run", "sales.nothing", csv);

        result.ExitCode.Should().Be(2);
        result.Errors.Should().StartWith("error: ").And.Contain("sales.nothing");
    }

    [Fact]
    public async Task Run_MissingInputFile_Exits2AndNamesIt()
    {
        var result = await _cli.RunAsync("run", "sales.orders", Path.Combine(_cli.Root, "missing.csv"));

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("missing.csv").And.Contain("does not exist");
    }

    [Fact]
    public async Task Run_UnknownVersion_Exits2()
    {
        var csv = _cli.WriteFile("orders.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,1.00\n");

        var result = await _cli.RunAsync("run", "sales.orders", csv, "--version", "9");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("no version 9");
    }

    [Fact]
    public async Task Runs_NoRunsYet_SaysSo()
    {
        var result = await _cli.RunAsync("runs", "sales.orders");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("No runs of sales.orders yet");
    }

    [Fact]
    public async Task Runs_UnknownDataset_Exits2AndNamesIt()
    {
        var result = await _cli.RunAsync("runs", "sales.nothing");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("sales.nothing");
    }
}
