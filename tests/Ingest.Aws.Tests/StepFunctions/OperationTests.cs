using Ingest.Aws.Glue;
using Ingest.Aws.Protocol;
using Ingest.Aws.StepFunctions;
using Ingest.Aws.Tests.Protocol;

namespace Ingest.Aws.Tests.StepFunctions;

/// <summary>Glue job runs and Step Functions executions as operation objects, against the loopback server with canned answers (parsing and polling only).</summary>
public sealed class OperationTests : IAsyncLifetime
{
    private readonly LoopbackAwsServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GlueJobRun_WaitForCompletion_PollsUntilFinalAndRebuildsFromId()
    {
        var polls = 0;
        _server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartJobRun"] = _ => CannedResponse.Ok(Canned.StartJobRun),
            ["GetJobRun"] = _ => CannedResponse.Ok(Canned.GetJobRun(++polls < 3 ? "RUNNING" : "SUCCEEDED")),
        });
        var glue = new GlueClient(_server.Client(AwsJsonService.Glue));

        var operation = await GlueJobRunOperation.StartAsync(glue, new GlueJobRunRequest("ingest-glue-job", new Dictionary<string, string> { ["--dataset"] = "sales.orders" }));
        operation.HasCompleted.Should().BeFalse();
        var final = await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(1));

        final.State.Should().Be("SUCCEEDED");
        operation.HasCompleted.Should().BeTrue();
        operation.HasSucceeded.Should().BeTrue();
        polls.Should().Be(3);
        var rebuilt = new GlueJobRunOperation(glue, operation.JobName, operation.Id);
        (await rebuilt.UpdateStatusAsync()).Id.Should().Be("jr_0123456789abcdef");
        rebuilt.HasCompleted.Should().BeTrue();
        _server.Received("GetJobRun").Last().Json["RunId"]!.GetValue<string>().Should().Be("jr_0123456789abcdef");
    }

    [Fact]
    public async Task GlueJobRun_Failed_CompletesWithoutSuccess()
    {
        _server.Respond(_ => CannedResponse.Ok(Canned.GetJobRun("FAILED", "Out of memory")));
        var operation = new GlueJobRunOperation(new GlueClient(_server.Client(AwsJsonService.Glue)), "ingest-glue-job", "jr_1");

        var final = await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(1));

        final.ErrorMessage.Should().Be("Out of memory");
        operation.HasSucceeded.Should().BeFalse();
    }

    [Fact]
    public async Task StepFunctionsExecution_WaitForCompletion_ReportsFailure()
    {
        var polls = 0;
        _server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartExecution"] = _ => CannedResponse.Ok(Canned.StartExecution),
            ["DescribeExecution"] = _ => CannedResponse.Ok(Canned.DescribeExecution(++polls < 2 ? "RUNNING" : "FAILED")),
            ["StopExecution"] = _ => CannedResponse.Ok("""{"stopDate":1764100400}"""),
        });
        var states = new StepFunctionsClient(_server.Client(AwsJsonService.StepFunctions));

        var operation = await StepFunctionsExecutionOperation.StartAsync(states, "arn:aws:states:eu-central-1:123456789012:stateMachine:ingest", """{"datasets":["sales.orders"]}""", "run-1");
        var final = await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(1));
        await operation.StopAsync("Ingest.Stopped", "test");

        operation.Id.Should().Be("arn:aws:states:eu-central-1:123456789012:execution:ingest:run-1");
        final.Should().BeEquivalentTo(new { Status = "FAILED", Error = "Ingest.RunsFailed", StopDate = DateTimeOffset.FromUnixTimeSeconds(1764100300) });
        operation.HasSucceeded.Should().BeFalse();
        _server.Received("StartExecution").Single().Json["name"]!.GetValue<string>().Should().Be("run-1");
    }

    [Fact]
    public async Task WaitForCompletion_NonPositiveInterval_Throws()
    {
        var operation = new GlueJobRunOperation(new GlueClient(_server.Client(AwsJsonService.Glue)), "j", "r");

        var act = () => operation.WaitForCompletionAsync(TimeSpan.Zero);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }
}
