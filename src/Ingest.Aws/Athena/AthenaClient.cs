using System.Text.Json.Nodes;
using Ingest.Aws.Protocol;

namespace Ingest.Aws.Athena;

/// <summary><see cref="IAthenaClient"/> on the AWS JSON 1.1 protocol (target prefix <c>AmazonAthena</c>).</summary>
internal sealed class AthenaClient : IAthenaClient
{
    private readonly AwsJsonClient _client;

    public AthenaClient(AwsJsonClient client)
    {
        _client = client;
    }

    public async Task<string> StartQueryExecutionAsync(AthenaQueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.QueryString);
        var body = new JsonObject { ["QueryString"] = request.QueryString }
            .AddIf("ClientRequestToken", request.ClientRequestToken)
            .AddIf("QueryExecutionContext", request.Database is null ? null : new JsonObject { ["Database"] = request.Database, ["Catalog"] = "AwsDataCatalog" })
            .AddIf("ResultConfiguration", request.OutputLocation is null ? null : new JsonObject { ["OutputLocation"] = request.OutputLocation })
            .AddIf("WorkGroup", request.WorkGroup)
            .AddIf("ExecutionParameters", request.ExecutionParameters.Count == 0 ? null : JsonFields.ToJson(request.ExecutionParameters));

        // Idempotent only with a token: a retried start without one could run the query twice.
        var response = await _client.SendAsync("StartQueryExecution", body, idempotent: request.ClientRequestToken is not null, cancellationToken).ConfigureAwait(false);
        return JsonFields.RequiredString(response, "QueryExecutionId", "StartQueryExecution");
    }

    public async Task<AthenaQueryExecution> GetQueryExecutionAsync(string queryExecutionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryExecutionId);
        var response = await _client.SendAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = queryExecutionId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var execution = response["QueryExecution"];
        var status = execution?["Status"];
        return new AthenaQueryExecution(
            JsonFields.String(execution, "QueryExecutionId") ?? queryExecutionId,
            JsonFields.RequiredString(status, "State", "GetQueryExecution"),
            JsonFields.String(status, "StateChangeReason") ?? JsonFields.String(status?["AthenaError"], "ErrorMessage"),
            JsonFields.Long(execution?["Statistics"], "DataScannedInBytes"),
            JsonFields.Long(execution?["Statistics"], "EngineExecutionTimeInMillis"),
            JsonFields.String(execution?["ResultConfiguration"], "OutputLocation"),
            (int?)JsonFields.Long(status?["AthenaError"], "ErrorCategory"));
    }

    public async Task<AthenaResultPage> GetQueryResultsAsync(string queryExecutionId, string? nextToken = null, int? maxResults = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryExecutionId);
        var body = new JsonObject { ["QueryExecutionId"] = queryExecutionId }
            .AddIf("NextToken", nextToken)
            .AddIf("MaxResults", maxResults);
        var response = await _client.SendAsync("GetQueryResults", body, cancellationToken: cancellationToken).ConfigureAwait(false);
        var resultSet = response["ResultSet"];
        var columns = resultSet?["ResultSetMetadata"]?["ColumnInfo"] is JsonArray info
            ? info.Select(c => new AthenaColumn(
                JsonFields.String(c, "Name") ?? string.Empty,
                JsonFields.String(c, "Type") ?? "varchar",
                (int)(JsonFields.Long(c, "Precision") ?? 0),
                (int)(JsonFields.Long(c, "Scale") ?? 0))).ToList()
            : [];
        var rows = resultSet?["Rows"] is JsonArray list
            ? list.Select(r => (IReadOnlyList<string?>)(r?["Data"] is JsonArray data ? [.. data.Select(d => JsonFields.String(d, "VarCharValue"))] : [])).ToList()
            : [];
        return new AthenaResultPage(columns, rows, JsonFields.String(response, "NextToken"));
    }

    public Task StopQueryExecutionAsync(string queryExecutionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryExecutionId);
        return _client.SendAsync("StopQueryExecution", new JsonObject { ["QueryExecutionId"] = queryExecutionId }, cancellationToken: cancellationToken);
    }
}
