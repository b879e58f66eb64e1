namespace Ingest.Aws.StepFunctions;

/// <summary>The state of a Step Functions execution (<c>DescribeExecution</c>).</summary>
/// <param name="ExecutionArn">The execution ARN.</param>
/// <param name="StateMachineArn">The state machine.</param>
/// <param name="Name">The execution name.</param>
/// <param name="Status">The status: <c>RUNNING</c>, <c>PENDING_REDRIVE</c>, or the final <c>SUCCEEDED</c>, <c>FAILED</c>, <c>TIMED_OUT</c>, <c>ABORTED</c>.</param>
/// <param name="StartDate">When it started.</param>
/// <param name="StopDate">When it ended, if it has.</param>
/// <param name="Input">The input JSON.</param>
/// <param name="Output">The output JSON of a successful execution.</param>
/// <param name="Error">The error of a failed execution.</param>
/// <param name="Cause">The cause of a failed execution.</param>
internal sealed record StepFunctionsExecution(
    string ExecutionArn,
    string StateMachineArn,
    string? Name,
    string Status,
    DateTimeOffset? StartDate,
    DateTimeOffset? StopDate,
    string? Input,
    string? Output,
    string? Error,
    string? Cause);
