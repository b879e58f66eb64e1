namespace Ingest.Aws.Glue;

/// <summary>A column of a Glue table (Glue <c>Column</c>).</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The Hive type name, such as <c>bigint</c> or <c>decimal(18,2)</c>.</param>
/// <param name="Comment">The comment, when there is one.</param>
internal sealed record GlueColumn(string Name, string Type, string? Comment = null);

/// <summary>The serializer/deserializer of a table's files (Glue <c>SerDeInfo</c>).</summary>
/// <param name="SerializationLibrary">The SerDe class.</param>
/// <param name="Parameters">Its parameters.</param>
internal sealed record GlueSerDeInfo(string SerializationLibrary, IReadOnlyDictionary<string, string> Parameters);

/// <summary>Where and how a table's or partition's files are stored (Glue <c>StorageDescriptor</c>).</summary>
/// <param name="Columns">The columns stored in the files.</param>
/// <param name="Location">The <c>s3://</c> prefix of the files.</param>
/// <param name="InputFormat">The Hadoop input format class.</param>
/// <param name="OutputFormat">The Hadoop output format class.</param>
/// <param name="SerDeInfo">The SerDe.</param>
internal sealed record GlueStorageDescriptor(IReadOnlyList<GlueColumn> Columns, string Location, string InputFormat, string OutputFormat, GlueSerDeInfo SerDeInfo);

/// <summary>The definition of a table (Glue <c>TableInput</c>).</summary>
/// <param name="Name">The table name.</param>
/// <param name="Description">The table comment.</param>
/// <param name="TableType">The table type, <c>EXTERNAL_TABLE</c> for lake tables.</param>
/// <param name="Parameters">The table properties (classification, partition projection, …).</param>
/// <param name="StorageDescriptor">The storage of the files.</param>
/// <param name="PartitionKeys">The partition columns, outermost first.</param>
internal sealed record GlueTableInput(
    string Name,
    string? Description,
    string TableType,
    IReadOnlyDictionary<string, string> Parameters,
    GlueStorageDescriptor StorageDescriptor,
    IReadOnlyList<GlueColumn> PartitionKeys);

/// <summary>A table as Glue returns it.</summary>
/// <param name="DatabaseName">The database.</param>
/// <param name="Table">The definition.</param>
/// <param name="VersionId">The version id to pass to <see cref="IGlueClient.UpdateTableAsync"/> for an optimistic update.</param>
internal sealed record GlueTable(string DatabaseName, GlueTableInput Table, string? VersionId);

/// <summary>A Glue database (Glue <c>DatabaseInput</c>).</summary>
/// <param name="Name">The database name.</param>
/// <param name="Description">The description.</param>
internal sealed record GlueDatabase(string Name, string? Description = null);

/// <summary>A partition to create (Glue <c>PartitionInput</c>).</summary>
/// <param name="Values">The partition values in partition key order.</param>
/// <param name="StorageDescriptor">The storage of the partition's files.</param>
internal sealed record GluePartitionInput(IReadOnlyList<string> Values, GlueStorageDescriptor StorageDescriptor);

/// <summary>A partition <see cref="IGlueClient.BatchCreatePartitionAsync"/> did not create.</summary>
/// <param name="Values">The partition values.</param>
/// <param name="ErrorCode">The error code, such as <c>AlreadyExistsException</c>.</param>
/// <param name="ErrorMessage">The error message.</param>
internal sealed record GluePartitionError(IReadOnlyList<string> Values, string ErrorCode, string? ErrorMessage);

/// <summary>A request to start a Glue job run (Glue <c>StartJobRun</c>).</summary>
/// <param name="JobName">The job.</param>
/// <param name="Arguments">The job arguments (<c>--name</c> → value).</param>
internal sealed record GlueJobRunRequest(string JobName, IReadOnlyDictionary<string, string> Arguments)
{
    /// <summary>Gets the worker type (<c>G.1X</c>, …), or <see langword="null"/> for the job's.</summary>
    public string? WorkerType { get; init; }

    /// <summary>Gets the number of workers, or <see langword="null"/> for the job's.</summary>
    public int? NumberOfWorkers { get; init; }

    /// <summary>Gets the timeout in minutes, or <see langword="null"/> for the job's.</summary>
    public int? TimeoutMinutes { get; init; }
}

/// <summary>The state of a Glue job run (Glue <c>JobRun</c>).</summary>
/// <param name="Id">The job run id.</param>
/// <param name="JobName">The job.</param>
/// <param name="State">The state: <c>STARTING</c>, <c>RUNNING</c>, <c>STOPPING</c>, <c>WAITING</c>, or the final <c>SUCCEEDED</c>, <c>FAILED</c>, <c>STOPPED</c>, <c>TIMEOUT</c>, <c>ERROR</c>, <c>EXPIRED</c>.</param>
/// <param name="ErrorMessage">Why the run failed, when it did.</param>
/// <param name="Attempt">The attempt number (0 for the first).</param>
/// <param name="StartedOn">When it started.</param>
/// <param name="CompletedOn">When it ended, if it has.</param>
/// <param name="ExecutionTimeSeconds">The seconds it consumed resources.</param>
internal sealed record GlueJobRun(string Id, string JobName, string State, string? ErrorMessage, int Attempt, DateTimeOffset? StartedOn, DateTimeOffset? CompletedOn, long ExecutionTimeSeconds);
