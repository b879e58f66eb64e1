namespace Ingest.Aws.StepFunctions;

/// <summary>
/// The Step Functions operations Ingest calls, shaped after the official <c>AWSSDK.StepFunctions</c> client so that it can
/// replace this one. Failures are <see cref="AwsServiceException"/>s carrying the error code (<c>ExecutionAlreadyExists</c>, …).
/// </summary>
internal interface IStepFunctionsClient
{
    /// <summary>Starts an execution and returns its ARN. A <paramref name="name"/> makes the start idempotent for 90 days.</summary>
    Task<string> StartExecutionAsync(string stateMachineArn, string input, string? name = null, CancellationToken cancellationToken = default);

    /// <summary>Returns the state of an execution.</summary>
    Task<StepFunctionsExecution> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default);

    /// <summary>Stops an execution with an error and cause.</summary>
    Task StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default);
}
