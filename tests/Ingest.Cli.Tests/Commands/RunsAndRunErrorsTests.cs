using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

public sealed class RunsAndRunErrorsTests : OrdersRegisteredTests
{
    [Fact]
    public async Task Run_UnknownDataset_Exits2AndNamesIt()
    {
        var csv = Cli.WriteFile("orders.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,1.00\n");

        var result = await Cli.RunAsync("run", "sales.nothing", csv);

        result.ExitCode.Should().Be(2);
        result.Errors.Should().StartWith("error: ").And.Contain("sales.nothing");
    }

    [Fact]
    public async Task Run_MissingInputFile_Exits2AndNamesIt()
    {
        var result = await Cli.RunAsync("run", "sales.orders", Path.Combine(Cli.Root, "missing.csv"));

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("missing.csv").And.Contain("does not exist");
    }

    [Fact]
    public async Task Run_UnknownVersion_Exits2()
    {
        var csv = Cli.WriteFile("orders.csv", "order_id,order_date,country,quantity,amount\n1,2024-01-01,DE,1,1.00\n");

        var result = await Cli.RunAsync("run", "sales.orders", csv, "--version", "9");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("no version 9");
    }

    [Fact]
    public async Task Runs_NoRunsYet_SaysSo()
    {
        var result = await Cli.RunAsync("runs", "sales.orders");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("No runs of sales.orders yet");
    }

    [Fact]
    public async Task Runs_UnknownDataset_Exits2AndNamesIt()
    {
        var result = await Cli.RunAsync("runs", "sales.nothing");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("sales.nothing");
    }
}
