using System.Text.Json.Nodes;
using Ingest.Aws.Protocol;

namespace Ingest.Aws.StepFunctions;

/// <summary><see cref="IStepFunctionsClient"/> on the AWS JSON protocol (target prefix <c>AWSStepFunctions</c>).</summary>
internal sealed class StepFunctionsClient : IStepFunctionsClient
{
    private readonly AwsJsonClient _client;

    public StepFunctionsClient(AwsJsonClient client)
    {
        _client = client;
    }

    public async Task<string> StartExecutionAsync(string stateMachineArn, string input, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateMachineArn);
        ArgumentNullException.ThrowIfNull(input);
        var body = new JsonObject { ["stateMachineArn"] = stateMachineArn, ["input"] = input }.AddIf("name", name);

        // With a name, a retried start returns the same execution (same input) instead of a second one.
        var response = await _client.SendAsync("StartExecution", body, idempotent: name is not null, cancellationToken).ConfigureAwait(false);
        return JsonFields.RequiredString(response, "executionArn", "StartExecution");
    }

    public async Task<StepFunctionsExecution> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(executionArn);
        var response = await _client.SendAsync("DescribeExecution", new JsonObject { ["executionArn"] = executionArn }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new StepFunctionsExecution(
            JsonFields.String(response, "executionArn") ?? executionArn,
            JsonFields.String(response, "stateMachineArn") ?? string.Empty,
            JsonFields.String(response, "name"),
            JsonFields.RequiredString(response, "status", "DescribeExecution"),
            JsonFields.Time(response, "startDate"),
            JsonFields.Time(response, "stopDate"),
            JsonFields.String(response, "input"),
            JsonFields.String(response, "output"),
            JsonFields.String(response, "error"),
            JsonFields.String(response, "cause"));
    }

    public Task StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(executionArn);
        var body = new JsonObject { ["executionArn"] = executionArn }.AddIf("error", error).AddIf("cause", cause);
        return _client.SendAsync("StopExecution", body, cancellationToken: cancellationToken);
    }
}
