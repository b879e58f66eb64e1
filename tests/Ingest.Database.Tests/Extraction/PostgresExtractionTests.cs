using Ingest.Database.Tests.Infrastructure;
using Ingest.Engine;
using Ingest.Ledger;
using Parquet;

namespace Ingest.Database.Tests.Extraction;

/// <summary>Full and incremental extraction from a real PostgreSQL: windows, watermarks committed with the data, re-runs, failed runs, parallel ranges and replay from the raw zone.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresExtractionTests(PostgresServer postgres) : IDisposable
{
    private readonly LakeHarness _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Run_FullThenIncremental_ExtractsOnlyNewAndUpdatedRows_AndCommitsTheWatermark()
    {
        var db = await OrdersDatabaseAsync(1, 100);
        await _lake.RegisterAsync(Orders.Definition());
        var pipeline = _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, db)));

        var first = await pipeline.ExtractAndRunAsync();

        first.Run.Status.Should().Be(RunStatus.Succeeded);
        first.Run.RowsRead.Should().Be(100);
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().Be("2024-05-01T08:01:40.0000000");

        var again = await pipeline.ExtractAndRunAsync();
        again.Run.Status.Should().Be(RunStatus.Skipped, "nothing changed since the last run");
        again.Run.RowsRead.Should().Be(0);

        await PostgresServer.ExecuteAsync(db, Orders.Insert(101, 105) + "UPDATE sales.orders SET amount = amount + 1000, updated_at = updated_at + interval '1 hour' WHERE order_id <= 10;");
        var third = await pipeline.ExtractAndRunAsync();

        third.Run.RowsRead.Should().Be(15, "5 inserted and 10 updated rows");
        (await _lake.ScalarAsync("select count(*) from onprem.orders")).Should().Be(105L);
        (await _lake.ScalarAsync("select count(distinct order_id) from onprem.orders")).Should().Be(105L);
        (await _lake.ScalarAsync("select cast(amount as varchar) from onprem.orders where order_id = 3")).Should().Be("1003.25");
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().Be("2024-05-01T09:00:10.0000000");
    }

    [Fact]
    public async Task Run_FailedAfterExtracting_LeavesTheWatermark_AndTheNextRunExtractsTheSameWindow()
    {
        var db = await OrdersDatabaseAsync(1, 50);
        await _lake.RegisterAsync(Orders.Definition(mode: "append"));
        var options = LakeHarness.Options((Orders.Connection, db));
        await _lake.Pipeline(Orders.Dataset, options).ExtractAndRunAsync();
        await PostgresServer.ExecuteAsync(db, Orders.Insert(51, 80));

        using var cancel = new CancellationTokenSource();
        var rows = 0;
        var failing = _lake.Pipeline(Orders.Dataset, options, _ =>
        {
            if (++rows == 10)
            {
                cancel.Cancel();
            }
        });
        var failed = async () => await failing.ExtractAndRunAsync(cancel.Token);
        await failed.Should().ThrowAsync<OperationCanceledException>();

        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().Be("2024-05-01T08:00:50.0000000", "a failed run commits no watermark");
        (await _lake.ScalarAsync("select count(*) from onprem.orders")).Should().Be(50L, "the failed run published nothing");

        var next = await _lake.Pipeline(Orders.Dataset, options).ExtractAndRunAsync();

        next.Run.RowsRead.Should().Be(30, "the same window again: orders 51 to 80");
        (await _lake.ScalarAsync("select count(*) from onprem.orders")).Should().Be(80L);
        (await _lake.ScalarAsync("select count(distinct order_id) from onprem.orders")).Should().Be(80L);
        (await _lake.RunsAsync(Orders.Dataset)).Select(r => r.Status).Should().Contain(RunStatus.Failed);
    }

    [Fact]
    public async Task Run_RowsChangedWhileARunIsInProgress_WaitForTheNextRun_NoneIsLost()
    {
        var db = await OrdersDatabaseAsync(1, 100);
        await _lake.RegisterAsync(Orders.Definition());
        var options = LakeHarness.Options((Orders.Connection, db));
        var changed = false;

        // The first row the run processes triggers changes at the source: the window was fixed before, so they belong to the next run.
        var first = await _lake.Pipeline(Orders.Dataset, options, _ =>
        {
            if (!changed)
            {
                changed = true;
                PostgresServer.ExecuteAsync(db, Orders.Insert(101, 110) + "UPDATE sales.orders SET amount = -1, updated_at = updated_at + interval '1 day' WHERE order_id IN (5, 6);").GetAwaiter().GetResult();
            }
        }).ExtractAndRunAsync();

        first.Run.RowsRead.Should().Be(100);
        (await _lake.ScalarAsync("select count(*) from onprem.orders where amount = -1")).Should().Be(0L);
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().Be("2024-05-01T08:01:40.0000000", "the upper bound fixed when the run started");

        var next = await _lake.Pipeline(Orders.Dataset, options).ExtractAndRunAsync();

        next.Run.RowsRead.Should().Be(12, "the 10 rows inserted and the 2 updated during the first run");
        (await _lake.ScalarAsync("select count(*) from onprem.orders")).Should().Be(110L);
        (await _lake.ScalarAsync("select count(*) from onprem.orders where amount = -1")).Should().Be(2L);
    }

    [Fact]
    public async Task Run_WithLag_LeavesTheNewestRowsForTheNextRun()
    {
        var db = await OrdersDatabaseAsync(1, 100);
        await _lake.RegisterAsync(Orders.Definition(cursor: """, "cursor": { "column": "updated_at", "lag": 10 }"""));
        var pipeline = _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, db)));

        var first = await pipeline.ExtractAndRunAsync();

        first.Run.RowsRead.Should().Be(90, "rows within 10 seconds of the newest wait");
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().Be("2024-05-01T08:01:30.0000000");
        await PostgresServer.ExecuteAsync(db, Orders.Insert(101, 120));
        (await pipeline.ExtractAndRunAsync()).Run.RowsRead.Should().Be(20, "orders 91 to 110");
        (await _lake.ScalarAsync("select count(*) from onprem.orders")).Should().Be(110L);
    }

    [Fact]
    public async Task Run_ParallelRanges_ExtractsEveryRowOnce()
    {
        var db = await OrdersDatabaseAsync(1, 20_000);
        await _lake.RegisterAsync(Orders.Definition(mode: "append", extra: """, "partitionColumn": "order_id", "parallelism": 4"""));

        var run = await _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, db))).ExtractAndRunAsync();

        run.Run.RowsRead.Should().Be(20_000);
        (await _lake.ScalarAsync("select count(distinct order_id) from onprem.orders")).Should().Be(20_000L);
        (await _lake.ScalarAsync("select cast(sum(order_id) as varchar) from onprem.orders")).Should().Be("200010000");
        var metadata = await RawMetadataAsync();
        metadata["ingest.extract.ranges"].Split("; ").Should().HaveCount(4);
    }

    [Fact]
    public async Task RawExtract_RecordsTheQueryAndWindow_AndReplaysWithoutTheDatabase()
    {
        var db = await OrdersDatabaseAsync(1, 40);
        await _lake.RegisterAsync(Orders.Definition());
        await _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, db))).ExtractAndRunAsync();

        var metadata = await RawMetadataAsync();
        metadata["ingest.extract.connection"].Should().Be(Orders.Connection);
        metadata["ingest.extract.sql"].Should().Be("""SELECT "order_id", "customer", "amount", "updated_at" FROM "sales"."orders" WHERE "updated_at" <= @cursor_upper""");
        metadata["ingest.extract.window_lower_exclusive"].Should().BeEmpty();
        metadata["ingest.extract.window_upper_inclusive"].Should().Be("2024-05-01T08:00:40.0000000");
        metadata["ingest.extract.rows"].Should().Be("40");

        await PostgresServer.ExecuteAsync(db, "DROP TABLE sales.orders");
        await _lake.RegisterAsync(Orders.Definition(dataset: "replay.orders"));
        var raw = _lake.Files("raw").Single();
        var replay = await new IngestPipelineBuilder(_lake.Backends).ForDataset("replay.orders").Build().RunAsync([IngestInput.FromFile(raw)]);

        replay.Run.RowsWritten.Should().Be(40);
        (await _lake.QueryAsync("select * exclude (_ingest_run_id, _ingested_at) from replay.orders except select * exclude (_ingest_run_id, _ingested_at) from onprem.orders")).Should().BeEmpty();
    }

    private async Task<Dictionary<string, string>> RawMetadataAsync()
    {
        await using var stream = File.OpenRead(_lake.Files("raw").Single());
        await using var reader = await ParquetReader.CreateAsync(stream);
        return reader.CustomMetadata.ToDictionary();
    }

    private async Task<string> OrdersDatabaseAsync(int from, int to)
    {
        var db = await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(db, Orders.CreateTable + Orders.Insert(from, to));
        return db;
    }
}
