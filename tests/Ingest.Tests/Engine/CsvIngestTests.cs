using System.Text;
using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

public sealed class CsvIngestTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static DatasetDefinition Orders(DatasetId id, Func<DatasetDefinition, DatasetDefinition>? edit = null)
    {
        var definition = new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.Csv },
            Columns =
            [
                new() { Name = "order_id", Type = ColumnType.Int64, Nullable = false, SourceColumn = "OrderId" },
                new() { Name = "customer", Type = ColumnType.String },
                new() { Name = "amount", Type = ColumnType.Decimal(18, 2) },
                new() { Name = "ordered_at", Type = ColumnType.Timestamp },
                new() { Name = "ship_date", Type = ColumnType.Date },
                new() { Name = "qty", Type = ColumnType.Int32 },
                new() { Name = "express", Type = ColumnType.Boolean },
            ],
            Keys = ["order_id"],
        };
        return edit is null ? definition : edit(definition);
    }

    [Fact]
    public async Task RunAsync_TypedCsv_WritesParquetWithLogicalTypesAnIndependentReaderUnderstands()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(id));
        const string csv = "OrderId,customer,amount,ordered_at,ship_date,qty,express\n"
            + "1,Ada,12.50,2024-05-01T10:15:30.123456Z,2024-05-03,2,true\n"
            + "2,Bob,-0.99,2024-05-01 23:59:59,2024-05-04,1,no\n";

        var result = await _h.RunAsync(id, EngineHarness.Text("orders.csv", csv));

        result.Run.Status.Should().Be(RunStatus.Succeeded);
        result.Run.RowsRead.Should().Be(2);
        result.Run.RowsWritten.Should().Be(2);
        var types = await _h.QueryAsync(id, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {curated})");
        var byName = types.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        byName["order_id"].Should().Be("BIGINT");
        byName["amount"].Should().Be("DECIMAL(18,2)");
        byName["ordered_at"].Should().Be("TIMESTAMP WITH TIME ZONE");
        byName["ship_date"].Should().Be("DATE");
        byName["customer"].Should().Be("VARCHAR");
        byName["qty"].Should().Be("INTEGER");
        byName["express"].Should().Be("BOOLEAN");
        byName["_source_line"].Should().Be("BIGINT");

        var rows = await _h.QueryAsync(id, "SELECT order_id, customer, amount, strftime(ordered_at, '%Y-%m-%d %H:%M:%S.%f'), ship_date::VARCHAR, qty, express, _source_file, _source_line, _ingest_run_id, strftime(_ingested_at, '%Y-%m-%d %H:%M:%S.%f'), customer FROM {curated} ORDER BY order_id");
        rows.Should().HaveCount(2);
        rows[0][0].Should().Be(1L);
        rows[0][2].Should().Be(12.50m);
        rows[0][3].Should().Be("2024-05-01 10:15:30.123456");
        rows[0][4].Should().Be("2024-05-03");
        rows[1][2].Should().Be(-0.99m);
        rows[1][3].Should().Be("2024-05-01 23:59:59.000000");
        rows[1][6].Should().Be(false);
        rows[0][7].Should().Be("orders.csv");
        rows[0][8].Should().Be(2L);
        rows[1][8].Should().Be(3L);
        rows[0][9].Should().Be(result.Run.RunId);
        rows[1][9].Should().Be(result.Run.RunId);
        rows[1][7].Should().Be("orders.csv");
        rows[0][10].Should().Be(rows[1][10]).And.Be(result.Run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture));
        rows[0][11].Should().Be("Ada");
        rows[1][11].Should().Be("Bob");
    }

    [Fact]
    public async Task RunAsync_Rfc4180Quirks_AreParsedAndLinesTrackPhysicalLines()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id, IngestTestData.Column("id", ColumnType.Int64, false), IngestTestData.Column("note", ColumnType.String)));
        var csv = "\uFEFFid,note\r\n"
            + "1,\"comma, inside\"\r\n"
            + "2,\"line one\r\nline two\"\r\n"
            + "3,\"she said \"\"hi\"\"\"\r\n"
            + "\r\n"
            + "4,plain\n"
            + "5,";
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(csv);

        var result = await _h.RunAsync(id, EngineHarness.Bytes("quirks.csv", bytes));

        result.Run.RowsRejected.Should().Be(0);
        var rows = await _h.QueryAsync(id, "SELECT id, note, _source_line FROM {curated} ORDER BY id");
        rows.Select(r => (long)r[0]!).Should().Equal(1, 2, 3, 4, 5);
        rows[0][1].Should().Be("comma, inside");
        rows[1][1].Should().Be("line one\r\nline two");
        rows[2][1].Should().Be("she said \"hi\"");
        rows[4][1].Should().BeNull("the empty string is the default null marker");
        rows.Select(r => (long)r[2]!).Should().Equal(2, 3, 5, 7, 8);
    }

    [Fact]
    public async Task RunAsync_BadRows_GoToQuarantineWithReasonsAndTheCountsBalance()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(id, d => d with { Quality = new QualitySettings { MaxRejectRatio = 0.9 } }));
        const string csv = "OrderId,customer,amount,ordered_at,ship_date,qty,express\n"
            + "1,Ada,12.50,2024-05-01T10:00:00Z,2024-05-03,2,true\n"
            + "2,Bob,12,50,2024-05-01T10:00:00Z,2024-05-03,2,true\n"
            + "3,Cy,1.00,2024-05-01T10:00:00Z,2024-02-30,2,true\n"
            + ",Di,1.00,2024-05-01T10:00:00Z,2024-05-03,2,true\n"
            + "5,Ed,1.005,2024-05-01T10:00:00Z,2024-05-03,2,true\n"
            + "6,Fa,1.00,yesterday,2024-05-03,2,true\n"
            + "7,Gu,1.00,2024-05-01T10:00:00Z,2024-05-03,99999999999,true\n";

        var result = await _h.RunAsync(id, EngineHarness.Text("orders.csv", csv));

        result.Run.RowsRead.Should().Be(7);
        result.Run.RowsWritten.Should().Be(1);
        result.Run.RowsRejected.Should().Be(6);
        (result.Run.RowsWritten + result.Run.RowsRejected).Should().Be(result.Run.RowsRead);
        var rejects = await _h.QueryAsync(id, "SELECT _source_line, _reason, order_id, amount, _raw_record FROM {quarantine} ORDER BY _source_line");
        rejects.Select(r => (long)r[0]!).Should().Equal(3, 4, 5, 6, 7, 8);
        ((string)rejects[0][1]!).Should().Contain("ragged row: 8 fields, expected 7");
        ((string)rejects[0][4]!).Should().Be("2,Bob,12,50,2024-05-01T10:00:00Z,2024-05-03,2,true");
        ((string)rejects[1][1]!).Should().Contain("ship_date").And.Contain("2024-02-30").And.Contain("yyyy-MM-dd");
        ((string)rejects[2][1]!).Should().Contain("order_id: missing value in a required column");
        ((string)rejects[3][1]!).Should().Contain("amount").And.Contain("more than 2 decimal places");
        ((string)rejects[3][3]!).Should().Be("1.005", "the quarantine keeps the original text");
        ((string)rejects[4][1]!).Should().Contain("ordered_at").And.Contain("ISO 8601");
        ((string)rejects[5][1]!).Should().Contain("qty").And.Contain("int32 range");
        result.TopRejectReasons.Should().HaveCount(6);
    }

    [Fact]
    public async Task RunAsync_DecimalCommaAndCustomFormats_ConvertAsDeclared()
    {
        var id = IngestTestData.NewDatasetId("erp");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition
            {
                Format = SourceFormat.Csv,
                Csv = new CsvSettings { Delimiter = ";", Header = false, Columns = ["nr", "betrag", "datum", "zeit"] },
                DecimalSeparator = ",",
                GroupSeparator = ".",
                DateFormats = ["dd.MM.yyyy"],
                TimestampFormats = ["dd.MM.yyyy HH:mm"],
                TimeZone = "Europe/Berlin",
                NullMarkers = ["", "NULL"],
                Encoding = "latin1",
            },
            Columns =
            [
                new() { Name = "nr", Type = ColumnType.Int32 },
                new() { Name = "betrag", Type = ColumnType.Decimal(12, 2) },
                new() { Name = "datum", Type = ColumnType.Date },
                new() { Name = "zeit", Type = ColumnType.Timestamp },
            ],
        });
        var latin1 = Encoding.Latin1.GetBytes("1;1.234,56;31.12.2024;01.07.2024 12:00\n2;NULL;01.01.2025;15.01.2024 08:30\n");

        var result = await _h.RunAsync(id, EngineHarness.Bytes("export.csv", latin1));

        result.Run.RowsRejected.Should().Be(0);
        var rows = await _h.QueryAsync(id, "SELECT nr, betrag, datum::VARCHAR, strftime(zeit, '%Y-%m-%d %H:%M') FROM {curated} ORDER BY nr");
        rows[0][1].Should().Be(1234.56m);
        rows[0][2].Should().Be("2024-12-31");
        rows[0][3].Should().Be("2024-07-01 10:00", "12:00 in Berlin in summer is 10:00 UTC");
        rows[1][1].Should().BeNull();
        rows[1][3].Should().Be("2024-01-15 07:30", "08:30 in Berlin in winter is 07:30 UTC");
    }

    [Fact]
    public async Task RunAsync_InvalidUtf8_FailsWithLineAndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var bytes = Encoding.UTF8.GetBytes("id,customer,amount,qty\n1,Ada,1.00,1\n2,").Concat(new byte[] { 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72 }).Concat(Encoding.UTF8.GetBytes(",1.00,1\n")).ToArray();

        var act = () => _h.RunAsync(id, EngineHarness.Bytes("latin1.csv", bytes));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Contain("latin1.csv").And.Contain("line 3: the byte at offset 39 is not valid utf-8").And.Contain("source.encoding");
        _h.Lake.Objects.Should().BeEmpty("a failed run leaves the lake as it was");
        var run = await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync();
        run.Status.Should().Be(RunStatus.Failed);
        run.Error.Should().Contain("latin1.csv");
    }

    [Fact]
    public async Task RunAsync_MissingRequiredHeaderColumn_NamesTheColumnAndTheHeader()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(id));

        var act = () => _h.RunAsync(id, EngineHarness.Text("orders.csv", "order_id,customer\n1,Ada\n"));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Be(
            "orders.csv: the definition's columns 'order_id' (sourceColumn 'OrderId'): did you mean 'order_id'?; 'amount'; 'ordered_at'; 'ship_date'; 'qty'; 'express' are not in the file, "
            + "which has 'order_id', 'customer'; nothing was written. Fix the file, set the column's sourceColumn to the file's name for it, or mark the column \"optional\": true if some files lack it.");
        _h.Lake.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_Transforms_ChangeValuesAndCanReject()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new QualitySettings { MaxRejectRatio = 0.5 } });

        var result = await _h.RunAsync(
            id,
            b => b.AddTransform(row => row["customer"] = row.Get<string>("customer")?.ToUpperInvariant())
                  .AddTransform(row =>
                  {
                      if (row.Get<decimal?>("amount") > 100m)
                      {
                          row.Reject("amount above the approval limit");
                      }
                  }),
            EngineHarness.Text("t.csv", "id,customer,amount,qty\n1,ada,10.00,1\n2,bob,500.00,1\n3,cy,1.00,1\n"));

        result.Run.RowsWritten.Should().Be(2);
        (await _h.QueryAsync(id, "SELECT customer FROM {curated} ORDER BY id")).Select(r => r[0]).Should().Equal("ADA", "CY");
        (await _h.ScalarAsync(id, "SELECT _reason FROM {quarantine}")).Should().Be("transform: amount above the approval limit");
    }

    [Fact]
    public async Task RunAsync_TransformSetsADecimalBeyondItsType_QuarantinesTheRowWithTheReason()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new QualitySettings { MaxRejectRatio = 0.9 } });

        var result = await _h.RunAsync(
            id,
            b => b.AddTransform(row => row["amount"] = row.Get<long>("id") switch
            {
                2 => 123_456_789_012_345_678_901.5m, // more integer digits than decimal(18,2)
                3 => 1.005m, // more decimal places than the scale
                _ => row.Get<decimal?>("amount"),
            }),
            EngineHarness.Text("t.csv", "id,customer,amount,qty\n1,ada,10.00,1\n2,bob,500.00,1\n3,cy,1.00,1\n"));

        result.Run.RowsWritten.Should().Be(1);
        result.Run.RowsRejected.Should().Be(2);
        (await _h.ScalarAsync(id, "SELECT sum(amount) FROM {curated}")).Should().Be(10.00m);
        var reasons = (await _h.QueryAsync(id, "SELECT _reason FROM {quarantine} ORDER BY _source_line")).Select(r => (string)r[0]!).ToList();
        reasons.Should().HaveCount(2);
        reasons[0].Should().StartWith("amount: a transform set 123456789012345678901.5, which is not a decimal(18,2)");
        reasons[1].Should().StartWith("amount: a transform set 1.005, which is not a decimal(18,2)");
    }

    [Fact]
    public async Task RunAsync_JsonLinesInput_MapsPropertiesAndQuarantinesInvalidLines()
    {
        var id = IngestTestData.NewDatasetId("crm");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.JsonLines },
            Columns =
            [
                new() { Name = "id", Type = ColumnType.Int64, Nullable = false },
                new() { Name = "name", Type = ColumnType.String, SourceColumn = "fullName" },
                new() { Name = "score", Type = ColumnType.Double },
                new() { Name = "active", Type = ColumnType.Boolean },
            ],
            Quality = new QualitySettings { MaxRejectRatio = 0.5 },
        });
        const string jsonl = "{\"id\":1,\"fullName\":\"Ada\",\"score\":9.5,\"active\":true,\"extra\":[1]}\n"
            + "\n"
            + "{\"id\":2,\"fullName\":null,\"score\":1e3,\"active\":false}\n"
            + "{not json}\n";

        var result = await _h.RunAsync(id, EngineHarness.Text("c.jsonl", jsonl));

        result.Run.RowsRead.Should().Be(3);
        result.Run.RowsRejected.Should().Be(1);
        var rows = await _h.QueryAsync(id, "SELECT id, name, score, active, _source_line FROM {curated} ORDER BY id");
        rows[0].Should().Equal(1L, "Ada", 9.5, true, 1L);
        rows[1].Should().Equal(2L, null, 1000.0, false, 3L);
        var reject = (await _h.QueryAsync(id, "SELECT _reason, _raw_record, _source_line FROM {quarantine}")).Single();
        ((string)reject[0]!).Should().StartWith("invalid JSON");
        reject[1].Should().Be("{not json}");
        reject[2].Should().Be(4L);
    }

    [Fact]
    public async Task RunAsync_ParquetInputWithTextFormatsInTheDefinition_IgnoresThemForTypedValues()
    {
        var source = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(source));
        await _h.RunAsync(source, EngineHarness.Text("orders.csv", "OrderId,customer,amount,ordered_at,ship_date,qty,express\n1,Ada,12.50,2024-05-01T10:00:00Z,2024-05-03,2,true\n"));
        await using var stream = await _h.Lake.OpenReadAsync(LakeZone.Curated, _h.Keys(LakeZone.Curated).Single(k => k.EndsWith(".parquet", StringComparison.Ordinal)));
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        var target = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(target, d => d with
        {
            Source = new SourceDefinition { Format = SourceFormat.Parquet, DateFormats = ["dd.MM.yyyy"], TimestampFormats = ["dd.MM.yyyy HH:mm"], TimeZone = "Europe/Berlin" },
            Columns = [.. d.Columns.Select(c => c with { SourceColumn = null })],
        }));
        var result = await _h.RunAsync(target, EngineHarness.Bytes("orders.parquet", copy.ToArray()));

        result.Run.RowsRejected.Should().Be(0);
        var row = (await _h.QueryAsync(target, "SELECT ship_date, strftime(ordered_at, '%Y-%m-%d %H:%M') FROM {curated}")).Single();
        row.Should().Equal(new DateOnly(2024, 5, 3), "2024-05-01 10:00");
    }

    [Fact]
    public async Task RunAsync_ParquetInput_IsConvertedThroughTheSameSchema()
    {
        var source = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(source));
        await _h.RunAsync(source, EngineHarness.Text("orders.csv", "OrderId,customer,amount,ordered_at,ship_date,qty,express\n1,Ada,12.50,2024-05-01T10:00:00Z,2024-05-03,2,true\n2,Bob,3.25,2024-05-02T11:00:00Z,,5,false\n"));
        var curatedKey = _h.Keys(LakeZone.Curated).Single(k => k.EndsWith(".parquet", StringComparison.Ordinal));
        await using var stream = await _h.Lake.OpenReadAsync(LakeZone.Curated, curatedKey);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        var target = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(Orders(target, d => d with
        {
            Source = new SourceDefinition { Format = SourceFormat.Parquet },
            Columns = [.. d.Columns.Select(c => c with { SourceColumn = null })],
        }));
        var result = await _h.RunAsync(target, EngineHarness.Bytes("orders.parquet", copy.ToArray()));

        result.Run.RowsWritten.Should().Be(2);
        var rows = await _h.QueryAsync(target, "SELECT order_id, amount, strftime(ordered_at, '%Y-%m-%d %H:%M'), ship_date, qty, express FROM {curated} ORDER BY order_id");
        rows[0].Should().Equal(1L, 12.50m, "2024-05-01 10:00", new DateOnly(2024, 5, 3), 2, true);
        rows[1][3].Should().BeNull();
    }

    [Fact]
    public async Task RunAsync_JsonLinesWithTwoColumnsFromOneSourceProperty_FillsBoth()
    {
        var id = IngestTestData.NewDatasetId("crm");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.JsonLines },
            Columns =
            [
                new() { Name = "id", Type = ColumnType.Int64, Nullable = false },
                new() { Name = "amount", Type = ColumnType.Decimal(10, 2), SourceColumn = "amount" },
                new() { Name = "amount_text", Type = ColumnType.String, SourceColumn = "amount" },
            ],
        });

        var result = await _h.RunAsync(id, EngineHarness.Text("c.jsonl", "{\"id\":1,\"amount\":12.50}\n"));

        result.Run.RowsWritten.Should().Be(1);
        (await _h.QueryAsync(id, "SELECT amount, amount_text FROM {curated}")).Single().Should().Equal(12.50m, "12.50");
    }
}
