namespace Ingest.Aws.Athena;

/// <summary>
/// The Athena operations Ingest calls, shaped after the official <c>AWSSDK.Athena</c> client so that it can replace this one.
/// Failures are <see cref="AwsServiceException"/>s carrying the Athena error code (<c>InvalidRequestException</c>, …).
/// </summary>
internal interface IAthenaClient
{
    /// <summary>Starts a query and returns its execution id.</summary>
    Task<string> StartQueryExecutionAsync(AthenaQueryRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns the state of a query.</summary>
    Task<AthenaQueryExecution> GetQueryExecutionAsync(string queryExecutionId, CancellationToken cancellationToken = default);

    /// <summary>Returns one page of a finished query's results.</summary>
    Task<AthenaResultPage> GetQueryResultsAsync(string queryExecutionId, string? nextToken = null, int? maxResults = null, CancellationToken cancellationToken = default);

    /// <summary>Stops a query (a finished one stays as it is).</summary>
    Task StopQueryExecutionAsync(string queryExecutionId, CancellationToken cancellationToken = default);
}
