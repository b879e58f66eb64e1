namespace Ingest.Aws.StepFunctions;

/// <summary>A Step Functions execution followed to its end; rebuild it from the execution ARN in another process.</summary>
internal sealed class StepFunctionsExecutionOperation : AwsOperation<StepFunctionsExecution>
{
    private readonly IStepFunctionsClient _client;

    /// <summary>Rebuilds the operation of an existing execution (no request is made here).</summary>
    /// <param name="client">The Step Functions client.</param>
    /// <param name="executionArn">The execution ARN.</param>
    /// <param name="timeProvider">The clock of the delays between polls.</param>
    public StepFunctionsExecutionOperation(IStepFunctionsClient client, string executionArn, TimeProvider? timeProvider = null)
        : base(timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(executionArn);
        _client = client;
        Id = executionArn;
    }

    /// <inheritdoc />
    public override string Id { get; }

    /// <summary>Starts an execution and returns its operation.</summary>
    /// <param name="client">The Step Functions client.</param>
    /// <param name="stateMachineArn">The state machine.</param>
    /// <param name="input">The input JSON, such as <c>{"datasets": ["sales.orders"]}</c>.</param>
    /// <param name="name">The execution name (makes the start idempotent), or <see langword="null"/> for a generated one.</param>
    /// <param name="timeProvider">The clock of the delays between polls.</param>
    /// <param name="cancellationToken">Cancels the start request.</param>
    public static async Task<StepFunctionsExecutionOperation> StartAsync(IStepFunctionsClient client, string stateMachineArn, string input, string? name = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var arn = await client.StartExecutionAsync(stateMachineArn, input, name, cancellationToken).ConfigureAwait(false);
        return new StepFunctionsExecutionOperation(client, arn, timeProvider);
    }

    /// <summary>Stops the execution.</summary>
    /// <param name="error">The error to record.</param>
    /// <param name="cause">The cause to record.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task StopAsync(string? error = null, string? cause = null, CancellationToken cancellationToken = default)
        => _client.StopExecutionAsync(Id, error, cause, cancellationToken);

    /// <inheritdoc />
    protected override Task<StepFunctionsExecution> FetchStatusAsync(CancellationToken cancellationToken) => _client.DescribeExecutionAsync(Id, cancellationToken);

    /// <inheritdoc />
    protected override bool IsFinal(StepFunctionsExecution status) => status.Status is "SUCCEEDED" or "FAILED" or "TIMED_OUT" or "ABORTED";

    /// <inheritdoc />
    protected override bool IsSuccess(StepFunctionsExecution status) => status.Status == "SUCCEEDED";
}
