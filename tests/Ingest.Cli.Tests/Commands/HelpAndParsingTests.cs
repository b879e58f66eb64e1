using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

public sealed class HelpAndParsingTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.InMemory();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("--help")]
    [InlineData("init", "--help")]
    [InlineData("datasets", "--help")]
    [InlineData("datasets", "add", "--help")]
    [InlineData("datasets", "list", "--help")]
    [InlineData("datasets", "show", "--help")]
    [InlineData("datasets", "diff", "--help")]
    [InlineData("datasets", "validate", "--help")]
    [InlineData("run", "--help")]
    [InlineData("runs", "--help")]
    [InlineData("query", "--help")]
    public async Task Help_EveryCommand_PrintsUsageAndExitCodes(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("USAGE:").And.Contain("EXIT CODES:").And.Contain("another run holds the dataset's lease");
        if (args is not (["--help"] or ["datasets", "--help"]))
        {
            result.Output.Should().Contain("--home");
        }
    }

    [Fact]
    public async Task Help_Run_ListsItsOptions()
    {
        var result = await _cli.RunAsync("run", "--help");

        result.Output.Should().Contain("--force").And.Contain("--version <N>").And.Contain("<DATASET>").And.Contain("[FILES]").And.Contain("--engine <ENGINE>");
    }

    [Fact]
    public async Task Version_PrintsTheToolVersion()
    {
        var result = await _cli.RunAsync("--version");

        result.ExitCode.Should().Be(0);
        result.Output.Trim().Should().MatchRegex(@"^\d+\.\d+\.\d+");
    }

    [Fact]
    public async Task UnknownCommand_Exits2WithOneErrorLine()
    {
        var result = await _cli.RunAsync("frobnicate");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().StartWith("error: ").And.Contain("frobnicate");
        result.Errors.Trim().Split('\n').Should().HaveCount(1);
    }

    [Fact]
    public async Task MissingArgument_Exits2()
    {
        var result = await _cli.RunAsync("run");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("DATASET");
    }

    [Fact]
    public async Task Run_FileDatasetWithoutFiles_Exits2NamingFiles()
    {
        await _cli.InitAsync();
        (await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders))).ExitCode.Should().Be(0);

        var result = await _cli.RunAsync("run", "sales.orders");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("FILES");
    }

    [Fact]
    public async Task BadOptionValue_Exits2()
    {
        await _cli.InitAsync();

        var result = await _cli.RunAsync("runs", "sales.orders", "--limit", "0");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("--limit");
    }

    [Fact]
    public async Task MalformedDatasetId_Exits2AndExplains()
    {
        await _cli.InitAsync();

        var result = await _cli.RunAsync("datasets", "show", "orders");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("'orders' is not a dataset id");
    }

    [Fact]
    public async Task CommandBeforeInit_Exits2AndSaysToInit()
    {
        var result = await _cli.RunAsync("datasets", "list");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("ingest init").And.Contain(_cli.Home);
    }

    [Fact]
    public async Task Verbose_PrintsTheStackTrace()
    {
        var quiet = await _cli.RunAsync("datasets", "list");
        var verbose = await _cli.RunAsync("datasets", "list", "--verbose");

        quiet.Errors.Should().NotContain("   at ");
        verbose.ExitCode.Should().Be(2);
        verbose.Errors.Should().Contain("   at ");
    }

    [Fact]
    public async Task Cancelled_Exits130()
    {
        await _cli.InitAsync();
        var file = _cli.WriteFile("orders.json", TestDefinitions.Orders);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var result = await _cli.RunAsync(cancelled.Token, "datasets", "add", file);

        result.ExitCode.Should().Be(130);
        result.Errors.Should().Contain("cancelled");
    }

    [Theory]
    [InlineData(new[] { "--home", "h", "run", "d.x", "f.csv" }, new[] { "run", "--home", "h", "d.x", "f.csv" })]
    [InlineData(new[] { "--home=h", "--verbose", "datasets", "add", "f.json" }, new[] { "datasets", "add", "--home=h", "--verbose", "f.json" })]
    [InlineData(new[] { "--home", "h", "datasets", "--help" }, new[] { "datasets", "--home", "h", "--help" })]
    [InlineData(new[] { "run", "d.x", "f.csv", "--home", "h" }, new[] { "run", "d.x", "f.csv", "--home", "h" })]
    [InlineData(new[] { "--version" }, new[] { "--version" })]
    public void MoveLeadingGlobalOptions_PutsThemAfterTheCommand(string[] args, string[] expected)
        => IngestCli.MoveLeadingGlobalOptions(args).Should().Equal(expected);
}
