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

    [Fact]
    public async Task QueryAsync_AsOfSnapshot_SendsTheQueryWithForVersionAsOfAfterTheIcebergTableOnly()
    {
        var (tables, orders, events, snapshots) = await TwoSnapshotsAsync();
        Answer();
        var sql = $"select count(*) from {orders} o join {events} e on e.id = o.id where o.customer = ? and 'from {orders}' <> ''";

        await using var result = await Engine(tables).QueryAsync(sql, new QueryOptions { Parameters = ["a"], AsOf = TableVersion.OfSnapshot(snapshots[^1]) });

        var start = Server.Received("StartQueryExecution").Single().Json;
        start["QueryString"]!.GetValue<string>().Should().Be(
            $"select count(*) from {orders} FOR VERSION AS OF {snapshots[^1]} o join {events} e on e.id = o.id where o.customer = ? and 'from {orders}' <> ''",
            "the Hive table has no history and the string is not a table");
        start["ExecutionParameters"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("'a'");
    }

    [Fact]
    public async Task QueryAsync_AsOfTimestamp_SendsForTimestampAsOfAUtcLiteral()
    {
        var (tables, orders, _, _) = await TwoSnapshotsAsync();
        Answer();
        var at = DateTimeOffset.UtcNow.AddMinutes(1).ToOffset(TimeSpan.FromHours(2));

        await using var result = await Engine(tables).QueryAsync($"select * from {orders}", new QueryOptions { AsOf = TableVersion.AsOf(at) });

        Server.Received("StartQueryExecution").Single().Json["QueryString"]!.GetValue<string>().Should().Be(
            $"select * from {orders} FOR TIMESTAMP AS OF TIMESTAMP '{at.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff} UTC'");
    }

    [Theory]
    [InlineData("snapshot")]
    [InlineData("hive")]
    [InlineData("before")]
    public async Task QueryAsync_AsOfNoTableCanHonour_IsRefusedAndNothingIsSent(string what)
    {
        var (tables, orders, events, _) = await TwoSnapshotsAsync();
        Answer();
        var (sql, version, message) = what switch
        {
            "snapshot" => ($"select * from {orders}", TableVersion.OfSnapshot(12345), "--as-of 12345: none of the Iceberg tables the query reads (sales.*) has it*"),
            "hive" => ($"select * from {events}", TableVersion.OfSnapshot(12345), "*reads no Iceberg dataset's table*Hive tables have no history*"),
            _ => ($"select * from {orders}", TableVersion.AsOf(DateTimeOffset.UnixEpoch), "*had no snapshot at 1970-01-01*Athena cannot read*"),
        };

        var act = () => Engine(tables).QueryAsync(sql, new QueryOptions { AsOf = version });

        await act.Should().ThrowAsync<QueryException>().WithMessage(message);
        Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task QueryAsync_AsOfWithoutTheRegistry_IsNotSupported()
    {
        var act = () => Engine().QueryAsync("select * from sales.orders", new QueryOptions { AsOf = TableVersion.OfSnapshot(1) });

        await act.Should().ThrowAsync<NotSupportedException>();
        Server.Requests.Should().BeEmpty();
    }

    /// <summary>An Iceberg dataset with two snapshots (newest first) and a Hive dataset, in memory.</summary>
    private static async Task<(AthenaTables Tables, string Orders, string Events, IReadOnlyList<long> Snapshots)> TwoSnapshotsAsync()
    {
        var backends = Ingest.Testing.InMemoryIngest.CreateBackends();
        var orders = Ingest.Testing.IngestTestData.Definition(Ingest.Testing.IngestTestData.NewDatasetId("sales"));
        var events = Ingest.Testing.IngestTestData.Definition(Ingest.Testing.IngestTestData.NewDatasetId("sales")) with { Table = new Ingest.Definitions.TableSettings { Format = Ingest.Definitions.TableFormat.Hive } };
        await backends.Registry.RegisterAsync(orders);
        await backends.Registry.RegisterAsync(events);
        foreach (var (name, text) in new[] { ("a.csv", "id,customer,amount,qty\n1,a,1.00,1\n"), ("b.csv", "id,customer,amount,qty\n2,b,2.00,2\n") })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            var input = Ingest.Engine.IngestInput.FromStream(name, _ => Task.FromResult<Stream>(new MemoryStream(bytes)), bytes.Length);
            await new Ingest.Engine.IngestPipelineBuilder(backends).ForDataset(orders.Id).Build().RunAsync([input]);
        }

        var registered = (await backends.Registry.GetAsync(orders.Id))!;
        var snapshots = await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!);
        snapshots.Should().HaveCount(2);
        return (new AthenaTables(backends.Registry, backends.Lake, backends.IcebergCatalog!), $"{orders.Id.Domain}.{orders.Id.Name}", $"{events.Id.Domain}.{events.Id.Name}", [.. snapshots.Select(s => s.SnapshotId)]);
    }

    private void Answer()
        => Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ => CannedResponse.Ok(Canned.GetQueryExecution("SUCCEEDED")),
            ["GetQueryResults"] = r => CannedResponse.Ok(r.Json["NextToken"] is null ? Canned.GetQueryResultsPage1 : Canned.GetQueryResultsPage2),
        });

    private AthenaQueryEngine Engine(AthenaTables tables) => new(new AthenaClient(Server.Client(AwsJsonService.Athena)), "analytics", "s3://results/ingest/", tables: tables);

    private AthenaQueryEngine Engine() => new(new AthenaClient(Server.Client(AwsJsonService.Athena)), "analytics", "s3://results/ingest/");
}
