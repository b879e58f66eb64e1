using DuckDB.NET.Data;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Testing;
using Parquet;
using Parquet.Schema;

namespace Ingest.Local.Tests;

/// <summary>DuckDB views over Parquet files written (by Parquet.Net, an independent writer) into the curated and quarantine layouts.</summary>
public sealed class DuckDbQueryTests : IDisposable
{
    private static readonly DatasetId Orders = DatasetId.Parse("sales.orders");
    private readonly TempRoot _root = new();
    private readonly IngestBackends _backends;

    public DuckDbQueryTests() => _backends = LocalIngest.CreateBackends(_root.Options);

    public void Dispose() => _root.Dispose();

    private static DatasetDefinition OrdersDefinition => IngestTestData.Definition(
        Orders,
        IngestTestData.Column("id", ColumnType.Int64, nullable: false),
        IngestTestData.Column("customer", ColumnType.String),
        IngestTestData.Column("amount", ColumnType.Decimal(18, 2)),
        IngestTestData.Column("ts", ColumnType.Timestamp),
        IngestTestData.Column("order_date", ColumnType.Date, nullable: false)) with
    {
        // Files are written straight into Hive folders here: these tests are about the Hive layout's views.
        Table = new TableSettings { Format = TableFormat.Hive },
        Partitioning = [new PartitionField { Column = "order_date" }],
    };

    [Fact]
    public async Task View_OverCuratedFiles_ReturnsRowsWithDefinitionTypes()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        await WriteOrdersAsync("order_date=2024-01-01", [(1, "alice", 12.50m, new DateTime(2024, 1, 1, 10, 0, 0, DateTimeKind.Utc))]);
        await WriteOrdersAsync("order_date=2024-01-02", [(2, "bob", 3.05m, new DateTime(2024, 1, 2, 23, 59, 59, DateTimeKind.Utc)), (3, null, null, null)]);

        var (columns, rows) = await QueryAsync("SELECT id, customer, amount, ts, order_date, _source_line FROM sales.orders ORDER BY id");

        columns.Should().Equal("id", "customer", "amount", "ts", "order_date", "_source_line");
        rows.Should().HaveCount(3);
        rows[0].Should().Equal(1L, "alice", 12.50m, new DateTime(2024, 1, 1, 10, 0, 0), new DateOnly(2024, 1, 1), 1L);
        rows[1].Should().Equal(2L, "bob", 3.05m, new DateTime(2024, 1, 2, 23, 59, 59), new DateOnly(2024, 1, 2), 1L);
        rows[2].Should().Equal(3L, null, null, null, new DateOnly(2024, 1, 2), 2L);
        var types = await DescribeAsync("sales.orders");
        types.Should().Contain(new Dictionary<string, string>
        {
            ["id"] = "BIGINT",
            ["customer"] = "VARCHAR",
            ["amount"] = "DECIMAL(18,2)",
            ["ts"] = "TIMESTAMP",
            ["order_date"] = "DATE",
            ["_ingested_at"] = "TIMESTAMP",
        });
    }

    [Fact]
    public async Task QueryResult_Schema_CarriesTheEnginesTypes_AndTheValuesClrTypes()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        await WriteOrdersAsync("order_date=2024-01-01", [(1, "alice", 12.50m, new DateTime(2024, 1, 1, 10, 0, 0, DateTimeKind.Utc))]);
        var described = await DescribeAsync("sales.orders");

        await using var result = await _backends.QueryAsync("SELECT id, customer, amount, ts, order_date FROM sales.orders");
        var row = await result.ReadRowsAsync().SingleAsync();

        result.Schema.Select(c => c.Name).Should().Equal(result.Columns);
        result.Schema.Select(c => c.DataType).Should().Equal(
            result.Columns.Select(c => described[c].Split('(')[0]), "the types are DuckDB's, as DESCRIBE names them (DuckDB.NET reports no decimal precision for a result column)");
        result.Schema.Select(c => c.ClrType).Should().Equal(row.Select(v => v!.GetType()), "each column's CLR type is the type of its values");
    }

    [Fact]
    public async Task View_DatasetWithoutFiles_IsTypedAndEmpty()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);

        var (_, rows) = await QueryAsync("SELECT count(*) FROM sales.orders");
        var types = await DescribeAsync("sales.orders");
        var quarantine = await DescribeAsync("sales.orders_quarantine");

        rows.Single().Single().Should().Be(0L);
        types.Keys.Should().Equal("id", "customer", "amount", "ts", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at", "order_date");
        types.Values.Should().Equal("BIGINT", "VARCHAR", "DECIMAL(18,2)", "TIMESTAMP", "VARCHAR", "VARCHAR", "BIGINT", "TIMESTAMP", "DATE");
        quarantine.Keys.Should().Equal("id", "customer", "amount", "ts", "order_date", "_reason", "_raw_record", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at", "ingest_date");
        quarantine["ingest_date"].Should().Be("DATE");
        quarantine["amount"].Should().Be("VARCHAR", "quarantine keeps the original text");
    }

    [Fact]
    public async Task Filter_OnPartitionColumn_PrunesOtherPartitions()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        await WriteOrdersAsync("order_date=2024-01-01", [(1, "alice", 1m, null)]);
        await WriteOrdersAsync("order_date=2024-01-02", [.. Enumerable.Range(0, 500).Select(i => ((long)i + 10, (string?)("c" + i), (decimal?)i, (DateTime?)null))]);
        CorruptDataPages(Path.Combine(_root.Path, "lake", "curated", "sales", "orders", "order_date=2024-01-02", "part-test-00000.parquet"));

        var (_, filtered) = await QueryAsync("SELECT id, customer FROM sales.orders WHERE order_date = ?", [new DateOnly(2024, 1, 1)]);
        var unfiltered = async () => await QueryAsync("SELECT sum(amount), max(customer) FROM sales.orders");

        filtered.Should().ContainSingle().Which.Should().Equal(1L, "alice");
        (await unfiltered.Should().ThrowAsync<IngestException>()).WithInnerException<DuckDBException>();
    }

    [Fact]
    public async Task QueryAsync_BindsParameters_ValueWithQuoteIsData()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        await WriteOrdersAsync("order_date=2024-01-01", [(1, "O'Brien", 1m, null), (2, "x' OR '1'='1", 2m, null)]);

        var (_, byQuestionMark) = await QueryAsync("SELECT id FROM sales.orders WHERE customer = ?", ["O'Brien"]);
        var (_, byDollar) = await QueryAsync("SELECT id FROM sales.orders WHERE customer = $1 AND id > $2", ["x' OR '1'='1", 0L]);
        var (_, injected) = await QueryAsync("SELECT id FROM sales.orders WHERE customer = ?", ["' OR '1'='1"]);
        var (_, nulls) = await QueryAsync("SELECT ? IS NULL", [null]);

        byQuestionMark.Should().ContainSingle().Which.Should().Equal(1L);
        byDollar.Should().ContainSingle().Which.Should().Equal(2L);
        injected.Should().BeEmpty();
        nulls.Single().Single().Should().Be(true);
    }

    [Fact]
    public async Task QueryAsync_BadSqlOrParameterCount_ThrowsQueryExceptionWithTheSql()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);

        var badSql = await FluentActions.Awaiting(() => _backends.Query!.QueryAsync("SELEC 1")).Should().ThrowAsync<Ingest.Catalog.QueryException>();
        var missing = await FluentActions.Awaiting(() => _backends.Query!.QueryAsync("SELECT ? + ?", [1])).Should().ThrowAsync<Ingest.Catalog.QueryException>();

        badSql.Which.Sql.Should().Be("SELEC 1");
        badSql.Which.Message.Should().Contain("syntax error");
        missing.Which.Sql.Should().Be("SELECT ? + ?");
    }

    [Theory]
    [InlineData("COPY (SELECT 1) TO '{0}'", "COPY")]
    [InlineData("ATTACH '{0}' AS other", "ATTACH")]
    [InlineData("/* x */ CREATE TABLE t AS SELECT 1", "CREATE")]
    [InlineData("SELECT 1; COPY (SELECT 1) TO '{0}'", "COPY")]
    [InlineData("EXPLAIN ANALYZE COPY (SELECT 1) TO '{0}'", "COPY")]
    public async Task QueryAsync_StatementThatIsNotAQuery_IsRefusedByDuckDbsParser_AndNothingRuns(string template, string kind)
    {
        // The root's name holds a quote: doubled, as a SQL literal needs it.
        var target = System.IO.Path.Combine(_root.Path, "written.out");
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, target.Replace("'", "''", StringComparison.Ordinal));

        var error = await FluentActions.Awaiting(() => _backends.Query!.QueryAsync(sql)).Should().ThrowAsync<QueryException>();

        error.Which.Message.Should().Contain("read-only").And.Contain($"this is a {kind} statement");
        error.Which.Sql.Should().Be(sql);
        File.Exists(target).Should().BeFalse();
    }

    [Theory]
    [InlineData("SELECT 42")]
    [InlineData("-- a comment\nWITH t AS (SELECT 42 AS v) SELECT v FROM t")]
    [InlineData("FROM (VALUES (42)) t(v)")]
    [InlineData("EXPLAIN SELECT 42")]
    [InlineData("DESCRIBE SELECT 42 AS v")]
    public async Task QueryAsync_Queries_Run(string sql)
    {
        await using var result = await _backends.Query!.QueryAsync(sql);

        (await result.ReadRowsAsync().CountAsync()).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Catalog_RefusesNamesThatAreNotIdentifiers_AndNothingIsCreated()
    {
        var hostile = new RegisteredDefinition(
            OrdersDefinition with { Catalog = new CatalogSettings { Table = "orders\" AS SELECT 1; DROP SCHEMA sales; --" } },
            1,
            DateTimeOffset.UnixEpoch,
            "x");

        await FluentActions.Awaiting(() => _backends.Catalog!.EnsureTableAsync(hostile)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _backends.Registry.RegisterAsync(hostile.Definition)).Should().ThrowAsync<DefinitionException>();
        FluentActions.Invoking(() => DatasetId.Parse("sales.orders;DROP")).Should().Throw<ArgumentException>();
        File.Exists(Path.Combine(_root.Path, LocalIngest.CatalogFileName)).Should().BeFalse();
    }

    [Fact]
    public async Task QuarantineView_ReadsQuarantineZoneWithIngestDate()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        var reason = new DataField<string>("_reason");
        var amount = new DataField<string>("amount");
        await WriteParquetAsync(LakeZone.Quarantine, "sales/orders/ingest_date=2024-06-01/part-q-00000.parquet", new ParquetSchema(amount, reason), async rg =>
        {
            await rg.WriteAsync(amount, new[] { "12,50" });
            await rg.WriteAsync(reason, new[] { "amount: \"12,50\" is not a decimal(18,2)" });
        });

        var (_, rows) = await QueryAsync("SELECT amount, _reason, ingest_date, id FROM sales.orders_quarantine");

        rows.Should().ContainSingle().Which.Should().Equal("12,50", "amount: \"12,50\" is not a decimal(18,2)", new DateOnly(2024, 6, 1), null);
    }

    [Fact]
    public async Task View_AfterCompatibleChange_ShowsNewColumnAsNullForOldFiles()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        await WriteOrdersAsync("order_date=2024-01-01", [(1, "alice", 1m, null)]);
        await _backends.Registry.RegisterAsync(OrdersDefinition with { Columns = [.. OrdersDefinition.Columns, IngestTestData.Column("note", ColumnType.String)] });

        var (columns, rows) = await QueryAsync("SELECT id, note FROM sales.orders");

        columns.Should().Equal("id", "note");
        rows.Should().ContainSingle().Which.Should().Equal(1L, null);
    }

    [Fact]
    public async Task Catalog_PersistsViewsInCatalogFile_WithoutHoldingItOpen()
    {
        var registered = await _backends.Registry.RegisterAsync(OrdersDefinition);
        await _backends.Catalog!.EnsureTableAsync(registered);
        var catalogFile = Path.Combine(_root.Path, LocalIngest.CatalogFileName);
        (await CountInCatalogFileAsync(catalogFile)).Should().Be(0);

        await WriteOrdersAsync("order_date=2024-01-01", [(1, "alice", 1m, null), (2, "bob", 2m, null)]);
        await _backends.Catalog.AddPartitionsAsync(registered, ["order_date=2024-01-01"]);

        (await CountInCatalogFileAsync(catalogFile)).Should().Be(2);
    }

    [Fact]
    public async Task QueryResult_Dispose_ReleasesConnection_AndRowsReadOnce()
    {
        await _backends.Registry.RegisterAsync(OrdersDefinition);
        var result = await _backends.Query!.QueryAsync("SELECT * FROM range(3)");
        (await result.ReadRowsAsync().ToListAsync()).Should().HaveCount(3);

        FluentActions.Invoking(() => result.ReadRowsAsync()).Should().Throw<InvalidOperationException>();
        await result.DisposeAsync();
    }

    private static async Task<long> CountInCatalogFileAsync(string catalogFile)
    {
        await using var connection = new DuckDBConnection($"DataSource={catalogFile};ACCESS_MODE=READ_ONLY");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sales.orders";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<(IReadOnlyList<string> Columns, List<IReadOnlyList<object?>> Rows)> QueryAsync(string sql, IReadOnlyList<object?>? parameters = null)
    {
        await using var result = await _backends.Query!.QueryAsync(sql, parameters);
        return (result.Columns, await result.ReadRowsAsync().ToListAsync());
    }

    private async Task<Dictionary<string, string>> DescribeAsync(string view)
    {
        var (_, rows) = await QueryAsync($"DESCRIBE {view}");
        return rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
    }

    private Task WriteOrdersAsync(string partition, IReadOnlyList<(long Id, string? Customer, decimal? Amount, DateTime? Ts)> rows)
    {
        var id = new DataField<long>("id");
        var customer = new DataField<string>("customer", true);
        var amount = new DecimalDataField("amount", 18, 2, isNullable: true);
        var ts = new DateTimeDataField("ts", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true);
        var runId = new DataField<string>("_ingest_run_id");
        var line = new DataField<long>("_source_line");
        var schema = new ParquetSchema(id, customer, amount, ts, runId, line);
        return WriteParquetAsync(LakeZone.Curated, $"sales/orders/{partition}/part-test-00000.parquet", schema, async rg =>
        {
            await rg.WriteAsync(id, new ReadOnlyMemory<long>([.. rows.Select(r => r.Id)]));
            await rg.WriteAsync(customer, rows.Select(r => r.Customer).ToArray()!);
            await rg.WriteAsync(amount, new ReadOnlyMemory<decimal?>([.. rows.Select(r => r.Amount)]));
            await rg.WriteAsync(ts, new ReadOnlyMemory<DateTime?>([.. rows.Select(r => r.Ts)]));
            await rg.WriteAsync(runId, rows.Select(_ => "run-1").ToArray());
            await rg.WriteAsync(line, new ReadOnlyMemory<long>([.. Enumerable.Range(1, rows.Count).Select(i => (long)i)]));
        });
    }

    private async Task WriteParquetAsync(LakeZone zone, string key, ParquetSchema schema, Func<ParquetRowGroupWriter, Task> write)
    {
        await using var writer = await _backends.Lake.OpenWriteAsync(zone, key);
        await using (var parquet = await ParquetWriter.CreateAsync(schema, writer.Stream, new ParquetOptions { CompressionMethod = CompressionMethod.None }))
        {
            using var rg = parquet.CreateRowGroup();
            await write(rg);
        }

        await writer.CompleteAsync();
    }

    /// <summary>Overwrites every byte between the leading magic and the footer: the footer still reads, the data does not.</summary>
    private static void CorruptDataPages(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        for (var i = 4; i < bytes.Length - 8 - footerLength; i++)
        {
            bytes[i] = 0xFF;
        }

        File.WriteAllBytes(path, bytes);
    }
}
