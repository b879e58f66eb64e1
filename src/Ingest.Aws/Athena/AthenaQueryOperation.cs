namespace Ingest.Aws.Athena;

/// <summary>An Athena query followed to its end; rebuild it from the query execution id in another process.</summary>
internal sealed class AthenaQueryOperation : AwsOperation<AthenaQueryExecution>
{
    private readonly IAthenaClient _client;

    /// <summary>Rebuilds the operation of an existing query (no request is made here).</summary>
    /// <param name="client">The Athena client.</param>
    /// <param name="queryExecutionId">The query execution id.</param>
    /// <param name="timeProvider">The clock of the delays between polls.</param>
    public AthenaQueryOperation(IAthenaClient client, string queryExecutionId, TimeProvider? timeProvider = null)
        : base(timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(queryExecutionId);
        _client = client;
        Id = queryExecutionId;
    }

    /// <inheritdoc />
    public override string Id { get; }

    /// <summary>Starts a query and returns its operation.</summary>
    /// <param name="client">The Athena client.</param>
    /// <param name="request">The query.</param>
    /// <param name="timeProvider">The clock of the delays between polls.</param>
    /// <param name="cancellationToken">Cancels the start request.</param>
    public static async Task<AthenaQueryOperation> StartAsync(IAthenaClient client, AthenaQueryRequest request, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var id = await client.StartQueryExecutionAsync(request, cancellationToken).ConfigureAwait(false);
        return new AthenaQueryOperation(client, id, timeProvider);
    }

    /// <summary>Stops the query.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task StopAsync(CancellationToken cancellationToken = default) => _client.StopQueryExecutionAsync(Id, cancellationToken);

    /// <inheritdoc />
    protected override Task<AthenaQueryExecution> FetchStatusAsync(CancellationToken cancellationToken) => _client.GetQueryExecutionAsync(Id, cancellationToken);

    /// <inheritdoc />
    protected override bool IsFinal(AthenaQueryExecution status) => status.State is "SUCCEEDED" or "FAILED" or "CANCELLED";

    /// <inheritdoc />
    protected override bool IsSuccess(AthenaQueryExecution status) => status.State == "SUCCEEDED";
}
