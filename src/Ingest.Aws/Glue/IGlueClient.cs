namespace Ingest.Aws.Glue;

/// <summary>
/// The Glue operations Ingest calls, shaped after the official <c>AWSSDK.Glue</c> client so that it can replace this one.
/// Failures are <see cref="AwsServiceException"/>s carrying the Glue error code (<c>AlreadyExistsException</c>,
/// <c>ConcurrentModificationException</c>, …).
/// </summary>
internal interface IGlueClient
{
    /// <summary>Returns a database, or <see langword="null"/> when it does not exist.</summary>
    Task<GlueDatabase?> GetDatabaseAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Creates a database; throws with <c>AlreadyExistsException</c> when it exists.</summary>
    Task CreateDatabaseAsync(GlueDatabase database, CancellationToken cancellationToken = default);

    /// <summary>Returns a table with its version id, or <see langword="null"/> when it (or its database) does not exist.</summary>
    Task<GlueTable?> GetTableAsync(string databaseName, string tableName, CancellationToken cancellationToken = default);

    /// <summary>Creates a table; throws with <c>AlreadyExistsException</c> when it exists.</summary>
    Task CreateTableAsync(string databaseName, GlueTableInput table, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a table's definition. With <paramref name="versionId"/> the update succeeds only while the table is still at
    /// that version (otherwise <c>ConcurrentModificationException</c>), so concurrent writers cannot lose each other's changes.
    /// </summary>
    Task UpdateTableAsync(string databaseName, GlueTableInput table, string? versionId, CancellationToken cancellationToken = default);

    /// <summary>Creates up to 100 partitions in one request and returns those that were not created, with the reason.</summary>
    Task<IReadOnlyList<GluePartitionError>> BatchCreatePartitionAsync(string databaseName, string tableName, IReadOnlyList<GluePartitionInput> partitions, CancellationToken cancellationToken = default);

    /// <summary>Starts a job run and returns its id.</summary>
    /// <remarks>Not retried after a server error (Glue has no idempotency token for it); throttling is retried.</remarks>
    Task<string> StartJobRunAsync(GlueJobRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns the state of a job run.</summary>
    Task<GlueJobRun> GetJobRunAsync(string jobName, string jobRunId, CancellationToken cancellationToken = default);
}
