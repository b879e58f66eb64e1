namespace Ingest.Aws.Athena;

/// <summary>A query to start (Athena <c>StartQueryExecution</c>).</summary>
/// <param name="QueryString">The SQL, with <c>?</c> placeholders for <see cref="ExecutionParameters"/>.</param>
internal sealed record AthenaQueryRequest(string QueryString)
{
    /// <summary>Gets the workgroup, or <see langword="null"/> for <c>primary</c>.</summary>
    public string? WorkGroup { get; init; }

    /// <summary>Gets where results are written (<c>s3://…/</c>), or <see langword="null"/> for the workgroup's location.</summary>
    public string? OutputLocation { get; init; }

    /// <summary>Gets the default database of unqualified table names, if any.</summary>
    public string? Database { get; init; }

    /// <summary>Gets the values of the <c>?</c> placeholders, as SQL literals (<c>'text'</c>, <c>42</c>, <c>DATE '2024-01-01'</c>).</summary>
    public IReadOnlyList<string> ExecutionParameters { get; init; } = [];

    /// <summary>Gets the idempotency token (32–128 characters): a retried start with the same token starts no second query.</summary>
    public string? ClientRequestToken { get; init; }
}

/// <summary>The state of a query (Athena <c>QueryExecution</c>).</summary>
/// <param name="QueryExecutionId">The query execution id.</param>
/// <param name="State">The state: <c>QUEUED</c>, <c>RUNNING</c>, or the final <c>SUCCEEDED</c>, <c>FAILED</c>, <c>CANCELLED</c>.</param>
/// <param name="StateChangeReason">Why it failed or was cancelled.</param>
/// <param name="DataScannedInBytes">The bytes scanned (what Athena bills).</param>
/// <param name="EngineExecutionTimeInMillis">The engine time.</param>
/// <param name="OutputLocation">Where the results are.</param>
/// <param name="ErrorCategory">1 system, 2 user (the SQL or its parameters), 3 other; <see langword="null"/> when it did not fail.</param>
internal sealed record AthenaQueryExecution(string QueryExecutionId, string State, string? StateChangeReason, long? DataScannedInBytes, long? EngineExecutionTimeInMillis, string? OutputLocation, int? ErrorCategory);

/// <summary>A result column.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The Athena type name (<c>varchar</c>, <c>bigint</c>, <c>decimal</c>, <c>date</c>, <c>timestamp</c>, …).</param>
/// <param name="Precision">The precision (decimals).</param>
/// <param name="Scale">The scale (decimals).</param>
internal sealed record AthenaColumn(string Name, string Type, int Precision = 0, int Scale = 0);

/// <summary>One page of results (Athena <c>GetQueryResults</c>); values are text, <see langword="null"/> for SQL NULL.</summary>
/// <param name="Columns">The columns.</param>
/// <param name="Rows">The rows; the first page of a SELECT starts with the header row.</param>
/// <param name="NextToken">The token of the next page, or <see langword="null"/> on the last.</param>
internal sealed record AthenaResultPage(IReadOnlyList<AthenaColumn> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows, string? NextToken);
