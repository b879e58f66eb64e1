using Ingest.Cli.Query;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

public sealed class EngineAndParameterTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.InMemory();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Run_EngineGlueOnTheLocalTarget_Exits2SayingItNeedsAws()
    {
        await _cli.InitAsync();

        var result = await _cli.RunAsync("run", "sales.orders", "--engine", "glue");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: --engine glue runs on AWS: add --target aws");
    }

    [Fact]
    public async Task Run_EngineGlueWithVersion_Exits2()
    {
        var result = await _cli.RunAsync("run", "sales.orders", "--engine", "glue", "--version", "1");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().Contain("--version applies to --engine local only");
    }

    [Theory]
    [InlineData("42", 42L)]
    [InlineData("-7", -7L)]
    [InlineData("true", true)]
    [InlineData("EUR", "EUR")]
    [InlineData("007", "007")]
    [InlineData("1e5", "1e5")]
    [InlineData("2024-02-30", "2024-02-30")]
    public void Typed_ValuesByTheirForm(string text, object expected)
        => ParameterValues.Typed(text).Should().Be(expected);

    [Fact]
    public void Typed_DecimalsDatesAndTimestamps()
    {
        ParameterValues.Typed("12.50").Should().Be(12.50m);
        ParameterValues.Typed("2024-05-01").Should().Be(new DateOnly(2024, 5, 1));
        ParameterValues.Typed("2024-05-01T10:00:00.5").Should().Be(new DateTime(2024, 5, 1, 10, 0, 0, 500));
        ParameterValues.Typed("2024-05-01 10:00:00").Should().Be(new DateTime(2024, 5, 1, 10, 0, 0));
    }
}
