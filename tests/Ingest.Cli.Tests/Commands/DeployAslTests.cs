using System.Text.Json.Nodes;
using Ingest.Aws.StepFunctions;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

public sealed class DeployAslTests : IDisposable
{
    private readonly CliHarness _cli = CliHarness.InMemory();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task DeployAsl_Output_WritesTheTerraformTemplate()
    {
        var file = Path.Combine(_cli.Root, "ingest.asl.json");

        var result = await _cli.RunAsync("deploy", "asl", "--output", file);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("Wrote").And.Contain("Terraform template");
        (await File.ReadAllTextAsync(file)).Should().Be(IngestStateMachine.Generate(new IngestStateMachineOptions()));
    }

    [Fact]
    public async Task DeployAsl_Names_WritesADefinitionThatDeploysAsItIs()
    {
        var file = Path.Combine(_cli.Root, "ingest.asl.json");

        var result = await _cli.RunAsync("deploy", "asl", "-o", file, "--table", "meta", "--glue-job", "job", "--failure-topic", "arn:aws:sns:eu-west-1:1:t", "--max-concurrency", "3");

        result.ExitCode.Should().Be(0, result.ToString());
        var machine = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        machine["States"]!["IngestDatasets"]!["MaxConcurrency"]!.GetValue<int>().Should().Be(3);
        var states = machine["States"]!["IngestDatasets"]!["ItemProcessor"]!["States"]!;
        states["AcquireLease"]!["Parameters"]!["TableName"]!.GetValue<string>().Should().Be("meta");
        states["RunGlueJob"]!["Parameters"]!["JobName"]!.GetValue<string>().Should().Be("job");
        states["PublishFailure"]!["Parameters"]!["TopicArn"]!.GetValue<string>().Should().Be("arn:aws:sns:eu-west-1:1:t");
    }

    [Fact]
    public async Task DeployAsl_Check_PassesWhenCurrent_FailsWithTheCommandWhenStale()
    {
        var file = Path.Combine(_cli.Root, "ingest.asl.json");
        (await _cli.RunAsync("deploy", "asl", "--output", file)).ExitCode.Should().Be(0);

        var current = await _cli.RunAsync("deploy", "asl", "--output", file, "--check");
        current.ExitCode.Should().Be(0, current.ToString());
        current.Output.Should().Contain("up to date");

        await File.AppendAllTextAsync(file, " ");
        var stale = await _cli.RunAsync("deploy", "asl", "--output", file, "--check");
        stale.ExitCode.Should().Be(1, stale.ToString());
        stale.Errors.Should().Contain("differs").And.Contain($"ingest deploy asl --output {file}");
        (await File.ReadAllTextAsync(file)).Should().EndWith(" ", "--check writes nothing");

        (await _cli.RunAsync("deploy", "asl", "--output", file)).Output.Should().Contain("Wrote");
        (await _cli.RunAsync("deploy", "asl", "--output", file)).Output.Should().Contain("unchanged");
    }

    [Fact]
    public async Task DeployAsl_BadInput_IsOneLineWithExitCode2()
    {
        var missing = await _cli.RunAsync("deploy", "asl", "--output", Path.Combine(_cli.Root, "no-such-folder", "x.json"));
        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.Errors.Should().Contain("does not exist");

        var range = await _cli.RunAsync("deploy", "asl", "--output", Path.Combine(_cli.Root, "x.json"), "--max-concurrency", "0");
        range.ExitCode.Should().Be(2, range.ToString());
        range.Errors.Should().Contain("--max-concurrency 0 is out of range");
    }
}
