using System.Text.Json.Nodes;
using Ingest.Aws.Protocol;

namespace Ingest.Aws.Glue;

/// <summary><see cref="IGlueClient"/> on the AWS JSON 1.1 protocol (target prefix <c>AWSGlue</c>).</summary>
internal sealed class GlueClient : IGlueClient
{
    public const int MaxPartitionsPerBatch = 100;

    private readonly AwsJsonClient _client;

    public GlueClient(AwsJsonClient client)
    {
        _client = client;
    }

    public async Task<GlueDatabase?> GetDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            var response = await _client.SendAsync("GetDatabase", new JsonObject { ["Name"] = name }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var database = response["Database"];
            return new GlueDatabase(JsonFields.RequiredString(database, "Name", "GetDatabase"), JsonFields.String(database, "Description"));
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "EntityNotFoundException")
        {
            return null;
        }
    }

    public Task CreateDatabaseAsync(GlueDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var input = new JsonObject { ["Name"] = database.Name }.AddIf("Description", database.Description);
        return _client.SendAsync("CreateDatabase", new JsonObject { ["DatabaseInput"] = input }, cancellationToken: cancellationToken);
    }

    public async Task<GlueTable?> GetTableAsync(string databaseName, string tableName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        try
        {
            var response = await _client.SendAsync("GetTable", new JsonObject { ["DatabaseName"] = databaseName, ["Name"] = tableName }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var table = response["Table"];
            return new GlueTable(JsonFields.String(table, "DatabaseName") ?? databaseName, ReadTable(table), JsonFields.String(table, "VersionId"));
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "EntityNotFoundException")
        {
            return null;
        }
    }

    public Task CreateTableAsync(string databaseName, GlueTableInput table, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        ArgumentNullException.ThrowIfNull(table);
        return _client.SendAsync("CreateTable", new JsonObject { ["DatabaseName"] = databaseName, ["TableInput"] = Write(table) }, cancellationToken: cancellationToken);
    }

    public Task UpdateTableAsync(string databaseName, GlueTableInput table, string? versionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        ArgumentNullException.ThrowIfNull(table);
        var body = new JsonObject { ["DatabaseName"] = databaseName, ["TableInput"] = Write(table) }.AddIf("VersionId", versionId);
        return _client.SendAsync("UpdateTable", body, cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<GluePartitionError>> BatchCreatePartitionAsync(string databaseName, string tableName, IReadOnlyList<GluePartitionInput> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions.Count, MaxPartitionsPerBatch);
        if (partitions.Count == 0)
        {
            return [];
        }

        var list = new JsonArray();
        foreach (var partition in partitions)
        {
            list.Add(new JsonObject { ["Values"] = JsonFields.ToJson(partition.Values), ["StorageDescriptor"] = Write(partition.StorageDescriptor) });
        }

        var response = await _client.SendAsync(
            "BatchCreatePartition",
            new JsonObject { ["DatabaseName"] = databaseName, ["TableName"] = tableName, ["PartitionInputList"] = list },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return response["Errors"] is JsonArray errors
            ? [.. errors.Select(e => new GluePartitionError(
                JsonFields.Strings(e, "PartitionValues"),
                JsonFields.String(e?["ErrorDetail"], "ErrorCode") ?? "Unknown",
                JsonFields.String(e?["ErrorDetail"], "ErrorMessage")))]
            : [];
    }

    public async Task<string> StartJobRunAsync(GlueJobRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.JobName);
        var body = new JsonObject { ["JobName"] = request.JobName, ["Arguments"] = JsonFields.ToJson(request.Arguments) }
            .AddIf("WorkerType", request.WorkerType)
            .AddIf("NumberOfWorkers", request.NumberOfWorkers)
            .AddIf("Timeout", request.TimeoutMinutes);
        var response = await _client.SendAsync("StartJobRun", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return JsonFields.RequiredString(response, "JobRunId", "StartJobRun");
    }

    public async Task<GlueJobRun> GetJobRunAsync(string jobName, string jobRunId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobName);
        ArgumentException.ThrowIfNullOrEmpty(jobRunId);
        var response = await _client.SendAsync("GetJobRun", new JsonObject { ["JobName"] = jobName, ["RunId"] = jobRunId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var run = response["JobRun"];
        return new GlueJobRun(
            JsonFields.String(run, "Id") ?? jobRunId,
            JsonFields.String(run, "JobName") ?? jobName,
            JsonFields.RequiredString(run, "JobRunState", "GetJobRun"),
            JsonFields.String(run, "ErrorMessage"),
            (int)(JsonFields.Long(run, "Attempt") ?? 0),
            JsonFields.Time(run, "StartedOn"),
            JsonFields.Time(run, "CompletedOn"),
            JsonFields.Long(run, "ExecutionTime") ?? 0);
    }

    internal static JsonObject Write(GlueTableInput table) => new JsonObject
    {
        ["Name"] = table.Name,
    }
        .AddIf("Description", table.Description)
        .AddIf("TableType", table.TableType)
        .AddIf("Parameters", JsonFields.ToJson(table.Parameters))
        .AddIf("StorageDescriptor", Write(table.StorageDescriptor))
        .AddIf("PartitionKeys", Write(table.PartitionKeys));

    internal static JsonObject Write(GlueStorageDescriptor storage) => new()
    {
        ["Columns"] = Write(storage.Columns),
        ["Location"] = storage.Location,
        ["InputFormat"] = storage.InputFormat,
        ["OutputFormat"] = storage.OutputFormat,
        ["Compressed"] = false,
        ["SerdeInfo"] = new JsonObject
        {
            ["SerializationLibrary"] = storage.SerDeInfo.SerializationLibrary,
            ["Parameters"] = JsonFields.ToJson(storage.SerDeInfo.Parameters),
        },
    };

    private static JsonArray Write(IReadOnlyList<GlueColumn> columns)
        => [.. columns.Select(c => (JsonNode)new JsonObject { ["Name"] = c.Name, ["Type"] = c.Type }.AddIf("Comment", c.Comment))];

    private static GlueTableInput ReadTable(JsonNode? table)
    {
        var storage = table?["StorageDescriptor"];
        return new GlueTableInput(
            JsonFields.RequiredString(table, "Name", "GetTable"),
            JsonFields.String(table, "Description"),
            JsonFields.String(table, "TableType") ?? string.Empty,
            JsonFields.Map(table, "Parameters"),
            new GlueStorageDescriptor(
                ReadColumns(storage, "Columns"),
                JsonFields.String(storage, "Location") ?? string.Empty,
                JsonFields.String(storage, "InputFormat") ?? string.Empty,
                JsonFields.String(storage, "OutputFormat") ?? string.Empty,
                new GlueSerDeInfo(JsonFields.String(storage?["SerdeInfo"], "SerializationLibrary") ?? string.Empty, JsonFields.Map(storage?["SerdeInfo"], "Parameters"))),
            ReadColumns(table, "PartitionKeys"));
    }

    private static List<GlueColumn> ReadColumns(JsonNode? node, string name)
        => node?[name] is JsonArray columns
            ? [.. columns.Select(c => new GlueColumn(JsonFields.String(c, "Name") ?? string.Empty, JsonFields.String(c, "Type") ?? string.Empty, JsonFields.String(c, "Comment")))]
            : [];

}
