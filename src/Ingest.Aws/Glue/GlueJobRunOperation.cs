namespace Ingest.Aws.Glue;

/// <summary>A Glue job run followed to its end; rebuild it from the job name and run id in another process.</summary>
internal sealed class GlueJobRunOperation : AwsOperation<GlueJobRun>
{
    private static readonly HashSet<string> FinalStates = new(StringComparer.Ordinal) { "SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED" };

    private readonly IGlueClient _client;

    /// <summary>Rebuilds the operation of an existing job run (no request is made here).</summary>
    /// <param name="client">The Glue client.</param>
    /// <param name="jobName">The job.</param>
    /// <param name="jobRunId">The job run id.</param>
    /// <param name="timeProvider">The clock of the delays between polls.</param>
    public GlueJobRunOperation(IGlueClient client, string jobName, string jobRunId, TimeProvider? timeProvider = null)
        : base(timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(jobName);
        ArgumentException.ThrowIfNullOrEmpty(jobRunId);
        _client = client;
        JobName = jobName;
        Id = jobRunId;
    }

    /// <inheritdoc />
    public override string Id { get; }

    /// <summary>Gets the job.</summary>
    public string JobName { get; }

    /// <summary>Starts a job run and returns its operation.</summary>
    /// <param name="client">The Glue client.</param>
    /// <param name="request">The job and its arguments.</param>
    /// <param name="timeProvider">The clock of the delays between polls.</param>
    /// <param name="cancellationToken">Cancels the start request.</param>
    public static async Task<GlueJobRunOperation> StartAsync(IGlueClient client, GlueJobRunRequest request, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var id = await client.StartJobRunAsync(request, cancellationToken).ConfigureAwait(false);
        return new GlueJobRunOperation(client, request.JobName, id, timeProvider);
    }

    /// <inheritdoc />
    protected override Task<GlueJobRun> FetchStatusAsync(CancellationToken cancellationToken) => _client.GetJobRunAsync(JobName, Id, cancellationToken);

    /// <inheritdoc />
    protected override bool IsFinal(GlueJobRun status) => FinalStates.Contains(status.State);

    /// <inheritdoc />
    protected override bool IsSuccess(GlueJobRun status) => status.State == "SUCCEEDED";
}
