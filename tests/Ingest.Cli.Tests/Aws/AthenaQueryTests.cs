using System.Text.Json.Nodes;
using Ingest.Aws.Tests.Protocol;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Aws;

/// <summary>
/// <c>ingest query --target aws</c> in process against the loopback server, which answers in the official Athena shapes and
/// checks every request against the Athena API model: the settings come from a Terraform outputs file (workgroup, result
/// location) and INGEST_Aws__* variables (the endpoint), as a user configures them.
/// </summary>
public sealed class AthenaQueryTests : ModelCheckedServer, IDisposable
{
    private const string Sql = "select currency, total, day, n, ok, at from sales.orders where currency = ? and day >= ? and n > ?";
    private readonly CliHarness _cli;
    private int _polls;

    public AthenaQueryTests()
        : base("athena-2017-05-18")
    {
        _cli = Harness();
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Query_TargetAws_RunsInAthenaWithTypedExecutionParameters_AndPrintsScannedAndCost()
    {
        Answer();

        var result = await _cli.RunAsync("query", Sql, "--param", "EUR", "--param", "2024-05-01", "--param", "2");

        result.ExitCode.Should().Be(0, result.ToString());
        var start = Server.Received("StartQueryExecution").Should().ContainSingle().Subject.Json;
        start["QueryString"]!.GetValue<string>().Should().Be(Sql, "values never go into the SQL text");
        start["ExecutionParameters"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("'EUR'", "DATE '2024-05-01'", "2");
        start["WorkGroup"]!.GetValue<string>().Should().Be("acme-ingest", "from the ingest_settings Terraform output");
        start["ResultConfiguration"]!["OutputLocation"]!.GetValue<string>().Should().Be("s3://acme-athena/results/");
        Server.Received("GetQueryResults").Select(r => r.Json["NextToken"]?.GetValue<string>()).Should().Equal(null, "page-2");
        result.Output.Should().Contain("EUR").And.Contain("12.50").And.Contain("2024-05-01").And.Contain("USD").And.Contain("(2 rows)");
        result.Output.Should().Contain("10.0 MiB scanned (10,485,760 bytes), estimated cost USD 0.000052");
        result.Output.IndexOf("(2 rows)", StringComparison.Ordinal).Should().BeLessThan(result.Output.IndexOf("scanned", StringComparison.Ordinal), "the cost follows the table");
    }

    [Fact]
    public async Task Query_TargetAwsCsv_StandardOutputIsOnlyTheCsv_AndTheCostGoesToStandardError()
    {
        Answer();

        var result = await _cli.RunAsync("query", Sql, "-p", "EUR", "-p", "2024-05-01", "-p", "2", "--format", "csv");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Be(
            "currency,total,day,n,ok,at\n" +
            "EUR,12.50,2024-05-01,3,true,2024-05-01 10:00:00.123\n" +
            "USD,,2024-05-02,4,false,\n");
        result.Errors.Should().Contain("Athena query 11111111-2222-3333-4444-555555555555: 2 rows, 10.0 MiB scanned");
    }

    [Fact]
    public async Task Query_TargetAwsJson_IsAnArrayOfTypedObjects()
    {
        Answer();

        var result = await _cli.RunAsync("query", Sql, "-p", "EUR", "-p", "2024-05-01", "-p", "2", "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        var rows = JsonNode.Parse(result.Output)!.AsArray();
        rows.Should().HaveCount(2);
        rows[0]!["total"]!.GetValue<decimal>().Should().Be(12.50m);
        rows[0]!["n"]!.GetValue<long>().Should().Be(3);
        rows[1]!["total"].Should().BeNull();
    }

    [Fact]
    public async Task Query_CancelledWhileRunning_StopsTheAthenaQuery_AndExits130()
    {
        using var cancellation = new CancellationTokenSource();
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ =>
            {
                // Ctrl+C while Athena is still running the query.
                if (Interlocked.Increment(ref _polls) == 2)
                {
                    cancellation.Cancel();
                }

                return CannedResponse.Ok(Canned.GetQueryExecution("RUNNING"));
            },
            ["StopQueryExecution"] = _ => CannedResponse.Ok("{}"),
        });

        var result = await _cli.RunAsync(cancellation.Token, "query", "select count(*) from sales.orders");

        result.ExitCode.Should().Be(130, result.ToString());
        result.Errors.Should().StartWith("error: cancelled.");
        Server.Received("StopQueryExecution").Should().ContainSingle()
            .Which.Json["QueryExecutionId"]!.GetValue<string>().Should().Be("11111111-2222-3333-4444-555555555555");
        Server.Received("GetQueryResults").Should().BeEmpty();
    }

    [Fact]
    public async Task Query_AthenaRejectsTheSql_Exits2WithAthenasReasonInOneLine()
    {
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ => CannedResponse.Ok(Canned.GetQueryExecution("FAILED", "TABLE_NOT_FOUND: line 1:15: Table 'sales.nope' does not exist", errorCategory: 2)),
        });

        var result = await _cli.RunAsync("query", "select * from sales.nope");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: query failed: ").And.Contain("TABLE_NOT_FOUND");
        result.Errors.TrimEnd().Should().NotContain("\n");
    }

    [Theory]
    [InlineData("drop table sales.orders", "DROP")]
    [InlineData("create table sales.copy as select * from sales.orders", "CREATE")]
    [InlineData("unload (select * from sales.orders) to 's3://acme-athena/out/' with (format = 'PARQUET')", "UNLOAD")]
    [InlineData("explain analyze insert into sales.orders select * from sales.orders", "INSERT")]
    [InlineData("  -- a comment\n  msck repair table sales.orders", "MSCK")]
    public async Task Query_NotAQuery_IsRefusedAndNothingIsSentToAthena(string sql, string kind)
    {
        Answer();

        var result = await _cli.RunAsync("query", sql);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.TrimEnd().Should().Be($"error: query failed: ingest query is read-only: it sends queries to Athena (SELECT, WITH, VALUES, TABLE, DESCRIBE, SHOW, EXPLAIN), and this is a {kind} statement. Nothing was sent; change tables with Terraform or the Glue Data Catalog.");
        Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Query_TwoStatements_AreRefusedAndNothingIsSent()
    {
        Answer();

        var result = await _cli.RunAsync("query", "select 1; drop table sales.orders");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().Contain("sends one statement to Athena");
        Server.Requests.Should().BeEmpty();
        (await _cli.RunAsync("query", "with t as (select 'a;b' as v) select v from t; -- done")).ExitCode.Should().Be(0, "a ';' in a string or before a comment ends nothing");
    }

    [Fact]
    public async Task Query_LocalServersWithoutAnAthenaUrl_IsASettingsErrorAndNoPublicEndpointIsCalled()
    {
        _cli.Environment.Remove("INGEST_Aws__AthenaServiceUrl");
        _cli.Environment["INGEST_Aws__EmulatorCompatibility"] = "true";
        _cli.Environment["INGEST_Aws__S3ServiceUrl"] = Server.Url;
        _cli.Environment["INGEST_Aws__DynamoDbServiceUrl"] = Server.Url;

        var result = await _cli.RunAsync("query", "select count(*) from sales.orders");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: AWS settings: Aws:EmulatorCompatibility is on (local servers) and Aws:AthenaServiceUrl is not set");
        result.Errors.TrimEnd().Should().NotContain("\n").And.NotContain("transient");
    }

    private void Answer()
        => Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["StartQueryExecution"] = _ => CannedResponse.Ok(Canned.StartQueryExecution),
            ["GetQueryExecution"] = _ => CannedResponse.Ok(Canned.GetQueryExecution(Interlocked.Increment(ref _polls) < 2 ? "RUNNING" : "SUCCEEDED")),
            ["GetQueryResults"] = r => CannedResponse.Ok(r.Json["NextToken"] is null ? Canned.GetQueryResultsPage1 : Canned.GetQueryResultsPage2),
        });

    private CliHarness Harness()
    {
        // The SDK's default credential chain reads these (the loopback server does not check signatures).
        System.Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        System.Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        System.Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        var cli = CliHarness.Aws();
        var outputs = cli.WriteFile("outputs.json", """
            {
              "ingest_region": { "value": "eu-central-1" },
              "ingest_lake_bucket": { "value": "acme-lake" },
              "ingest_settings": { "value": { "athenaWorkgroup": "acme-ingest", "athenaResults": "s3://acme-athena/results/" } }
            }
            """);
        cli.TargetArgs.AddRange(["--terraform-outputs", outputs]);
        cli.Environment["INGEST_Aws__AthenaServiceUrl"] = Server.Url;
        return cli;
    }
}
