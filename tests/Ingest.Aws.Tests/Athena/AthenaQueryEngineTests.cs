using Ingest.Aws.Athena;
using Ingest.Aws.Protocol;
using Ingest.Aws.Tests.Protocol;
using Ingest.Catalog;

namespace Ingest.Aws.Tests.Athena;

/// <summary>
/// The Athena query engine against the loopback server with canned answers in the official shapes: request building, polling,
/// paging and parsing are tested here, not Athena. Every request is also checked against the Athena API model.
/// </summary>
public sealed class AthenaQueryEngineTests() : ModelCheckedServer("athena-2017-05-18")
{
    [Fact]
    public async Task QueryAsync_Parameters_SentAsExecutionParametersAndRowsStreamTyped()
    {
        var polls = 0;
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ => CannedResponse.Ok(Canned.GetQueryExecution(++polls switch { 1 => "QUEUED", 2 => "RUNNING", _ => "SUCCEEDED" })),
            ["GetQueryResults"] = r => CannedResponse.Ok(r.Json["NextToken"] is null ? Canned.GetQueryResultsPage1 : Canned.GetQueryResultsPage2),
        });

        await using var result = await Engine().QueryAsync(
            "SELECT * FROM sales.orders WHERE currency = $2 AND day >= $1 AND note <> '$1?'",
            [new DateOnly(2024, 5, 1), "O'Neil"]);
        var rows = await result.ReadRowsAsync().ToListAsync();

        var start = Server.Received("StartQueryExecution").Single().Json;
        start["QueryString"]!.GetValue<string>().Should().Be("SELECT * FROM sales.orders WHERE currency = ? AND day >= ? AND note <> '$1?'");
        start["ExecutionParameters"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("'O''Neil'", "DATE '2024-05-01'");
        start["WorkGroup"]!.GetValue<string>().Should().Be("analytics");
        start["ResultConfiguration"]!["OutputLocation"]!.GetValue<string>().Should().Be("s3://results/ingest/");
        start["ClientRequestToken"]!.GetValue<string>().Should().HaveLength(32);
        polls.Should().Be(3);
        result.Columns.Should().Equal("currency", "total", "day", "n", "ok", "at");
        rows.Should().HaveCount(2, "the header row of the first page is not data");
        rows[0].Should().Equal("EUR", 12.50m, new DateOnly(2024, 5, 1), 3L, true, new DateTime(2024, 5, 1, 10, 0, 0, 123, DateTimeKind.Utc));
        rows[1].Should().Equal("USD", null, new DateOnly(2024, 5, 2), 4L, false, null);
        result.BytesScanned.Should().Be(10485760);
        ((AthenaQueryResult)result).EstimatedCostUsd.Should().Be(10485760 * AthenaQueryResult.UsdPerByte);
    }

    [Fact]
    public async Task QueryAsync_UserError_ThrowsQueryExceptionWithSql()
    {
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ => CannedResponse.Ok(Canned.GetQueryExecution("FAILED", "TABLE_NOT_FOUND: line 1:15: Table 'sales.nope' does not exist", errorCategory: 2)),
        });

        var act = () => Engine().QueryAsync("SELECT * FROM sales.nope");

        var error = (await act.Should().ThrowAsync<QueryException>()).Which;
        error.Sql.Should().Be("SELECT * FROM sales.nope");
        error.Message.Should().Contain("TABLE_NOT_FOUND");
    }

    [Fact]
    public async Task QueryAsync_RefusedAtStart_ThrowsQueryException()
    {
        Server.Respond(_ => CannedResponse.Error(400, "InvalidRequestException", "line 1:8: mismatched input"));

        var act = () => Engine().QueryAsync("SELECT 1 FROM");

        (await act.Should().ThrowAsync<QueryException>()).Which.InnerException.Should().BeOfType<AwsServiceException>();
    }

    [Fact]
    public async Task QueryAsync_Cancelled_StopsTheQuery()
    {
        // Cancelled once the query is running (the first poll), not on a timer: on a busy machine a timer can
        // fire before the query has an id, and then there is nothing to stop.
        using var cts = new CancellationTokenSource();
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ =>
            {
                cts.CancelAfter(TimeSpan.FromMilliseconds(50));
                return CannedResponse.Ok(Canned.GetQueryExecution("RUNNING"));
            },
            ["StopQueryExecution"] = _ => CannedResponse.Ok(),
        });

        var act = () => Engine().QueryAsync("SELECT count(*) FROM sales.orders", cancellationToken: cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        Server.Received("StopQueryExecution").Single().Json["QueryExecutionId"]!.GetValue<string>().Should().Be("11111111-2222-3333-4444-555555555555");
    }

    [Theory]
    [InlineData(null, "NULL")]
    [InlineData(42, "42")]
    [InlineData(true, "true")]
    [InlineData(1.5, "DOUBLE '1.5'")]
    [InlineData("a'b", "'a''b'")]
    public void Literal_Values_AreSqlLiterals(object? value, string expected)
        => AthenaQueryEngine.Literal(value, "sql").Should().Be(expected);

    [Fact]
    public void Bind_TooFewParameters_ThrowsQueryException()
    {
        var act = () => AthenaQueryEngine.Bind("SELECT ?, ?", [1]);

        act.Should().Throw<QueryException>().WithMessage("*parameter 2 but 1 parameter(s)*");
    }

    private AthenaQueryEngine Engine() => new(new AthenaClient(Server.Client(AwsJsonService.Athena)), "analytics", "s3://results/ingest/");
}
