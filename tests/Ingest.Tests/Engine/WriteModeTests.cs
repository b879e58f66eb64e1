using System.Text;
using Ingest.Definitions;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

public sealed class WriteModeTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static DatasetDefinition Events(DatasetId id, WriteMode mode) => new()
    {
        Id = id,
        Source = new SourceDefinition { Format = SourceFormat.Csv },
        Columns =
        [
            new() { Name = "id", Type = ColumnType.Int64, Nullable = false },
            new() { Name = "country", Type = ColumnType.String },
            new() { Name = "at", Type = ColumnType.Timestamp },
            new() { Name = "amount", Type = ColumnType.Decimal(10, 2) },
        ],
        Keys = ["id"],
        Partitioning = [new PartitionField { Column = "at", Transform = PartitionTransform.Day, Name = "event_date" }, new PartitionField { Column = "country" }],
        Write = new WriteSettings { Mode = mode },
        Quality = new QualitySettings { MaxRejectRatio = 0.5 },
    };

    private static string Csv(params (long Id, string Country, string At, string Amount)[] rows)
    {
        var b = new StringBuilder("id,country,at,amount\n");
        foreach (var r in rows)
        {
            b.Append(r.Id).Append(',').Append(r.Country).Append(',').Append(r.At).Append(',').Append(r.Amount).Append('\n');
        }

        return b.ToString();
    }

    [Fact]
    public async Task RunAsync_Partitioning_WritesHiveFoldersAndMovesIdentityColumnsOutOfTheFiles()
    {
        var id = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(id, WriteMode.Append) with { Table = new TableSettings { Format = TableFormat.Hive } });

        var result = await _h.RunAsync(id, EngineHarness.Text("e.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "FR", "2024-01-01T23:00:00Z", "2.00"), (3, "DE", "2024-01-02T00:30:00Z", "3.00"))));

        result.Run.PartitionsWritten.Should().Equal("event_date=2024-01-01/country=DE/", "event_date=2024-01-01/country=FR/", "event_date=2024-01-02/country=DE/");
        _h.Keys(LakeZone.Curated).Should().OnlyContain(k => k.StartsWith($"web/{id.Name}/event_date=", StringComparison.Ordinal) && k.EndsWith(".parquet", StringComparison.Ordinal));
        var rows = await _h.QueryAsync(id, "SELECT id, country, event_date::VARCHAR FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}").Should().Equal("1|DE|2024-01-01", "2|FR|2024-01-01", "3|DE|2024-01-02");
    }

    [Fact]
    public async Task RunAsync_PartitionedByDayAndByIngestDateAlone_WritesTheFoldersOfEachRow()
    {
        // The day of a timestamp no rule reads travels as a physical value (ADR 12); the folders are the same.
        var byDay = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(byDay, WriteMode.Append) with { Keys = [], Partitioning = [new PartitionField { Column = "at", Transform = PartitionTransform.Day }] });
        var byIngestDate = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(byIngestDate, WriteMode.Append) with { Keys = [], Partitioning = [new PartitionField { Transform = PartitionTransform.IngestDate }] });
        var csv = Csv((1, "DE", "1969-12-31T23:59:59Z", "1.00"), (2, "FR", "2024-01-01T23:00:00Z", "2.00"), (3, "DE", "2024-01-02T00:30:00Z", "3.00"));

        var days = await _h.RunAsync(byDay, EngineHarness.Text("e.csv", csv));
        var ingested = await _h.RunAsync(byIngestDate, EngineHarness.Text("e.csv", csv));

        days.Run.PartitionsWritten.Should().Equal("at_day=1969-12-31/", "at_day=2024-01-01/", "at_day=2024-01-02/");
        ingested.Run.PartitionsWritten.Should().Equal($"ingest_date={ingested.Run.StartedAt.UtcDateTime:yyyy-MM-dd}/");
        var rows = await _h.QueryAsync(byDay, "SELECT id, strftime(\"at\", '%Y-%m-%d %H:%M:%S'), at_day::VARCHAR FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}").Should().Equal("1|1969-12-31 23:59:59|1969-12-31", "2|2024-01-01 23:00:00|2024-01-01", "3|2024-01-02 00:30:00|2024-01-02");
    }

    [Fact]
    public async Task RunAsync_IdentityPartitionsOnTheLastColumns_MoveThemOutOfTheFiles()
    {
        // The files then have fewer columns than the schema: more moved columns than lineage columns too.
        var id = IngestTestData.NewDatasetId("web");
        string[] moved = ["region", "store", "channel", "team", "shift"];
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.Csv },
            Columns = [new() { Name = "id", Type = ColumnType.Int64, Nullable = false }, new() { Name = "amount", Type = ColumnType.Decimal(10, 2) }, .. moved.Select(m => new ColumnDefinition { Name = m, Type = ColumnType.String })],
            Partitioning = [.. moved.Select(m => new PartitionField { Column = m })],
        });

        var result = await _h.RunAsync(id, EngineHarness.Text("e.csv", "id,amount,region,store,channel,team,shift\n1,1.50,eu,s1,web,a,x\n2,2.25,us,s2,shop,b,y\n"));

        result.Run.RowsWritten.Should().Be(2);
        result.Run.PartitionsWritten.Should().Equal("region=eu/store=s1/channel=web/team=a/shift=x/", "region=us/store=s2/channel=shop/team=b/shift=y/");
        var rows = await _h.QueryAsync(id, "SELECT id, amount, region, shift, _source_line FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}").Should().Equal("1|1.50|eu|x|2", "2|2.25|us|y|3");
    }

    [Fact]
    public async Task RunAsync_PartitionValueWithPathCharacters_IsPercentEncodedInsideTheDatasetAndReadsBackDecoded()
    {
        var id = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(id, WriteMode.Append) with { Quality = new QualitySettings { MaxRejectRatio = 1 } });

        var result = await _h.RunAsync(id, EngineHarness.Text("e.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "../../etc", "2024-01-01T10:00:00Z", "1.00"), (3, "Mass movement (dry)", "2024-01-01T10:00:00Z", "1.00"))));

        result.Run.RowsRejected.Should().Be(0);
        _h.Lake.Objects.Should().OnlyContain(o => o.Key.StartsWith($"web/{id.Name}/", StringComparison.Ordinal));
        _h.Keys(LakeZone.Curated).Should().Contain(k => k.Contains("/country=..%2F..%2Fetc/", StringComparison.Ordinal))
            .And.Contain(k => k.Contains("/country=Mass movement (dry)/", StringComparison.Ordinal));
        var rows = await _h.QueryAsync(id, "SELECT id, country FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}").Should().Equal("1|DE", "2|../../etc", "3|Mass movement (dry)");
    }

    [Fact]
    public async Task RunAsync_PartitionValueWithoutAFolderForm_IsQuarantinedWithTheReason()
    {
        var id = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(id, WriteMode.Append) with { Quality = new QualitySettings { MaxRejectRatio = 1 } });

        var result = await _h.RunAsync(id, EngineHarness.Text("e.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "__HIVE_DEFAULT_PARTITION__", "2024-01-01T10:00:00Z", "1.00"))));

        result.Run.RowsRejected.Should().Be(1);
        var reasons = (await _h.QueryAsync(id, "SELECT _reason FROM {quarantine} ORDER BY _source_line")).Select(r => (string)r[0]!).ToList();
        reasons.Should().Equal("country: partition value \"__HIVE_DEFAULT_PARTITION__\" cannot be a folder name: it is the folder name of null values (__HIVE_DEFAULT_PARTITION__)");
        (await _h.QueryAsync(id, "SELECT id FROM {curated}")).Select(r => (long)r[0]!).Should().Equal(1L);
    }

    [Fact]
    public async Task RunAsync_OverwritePartitions_ReplacesOnlyThePartitionsTheRunTouched()
    {
        var id = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(id, WriteMode.OverwritePartitions));
        await _h.RunAsync(id, EngineHarness.Text("day1.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "FR", "2024-01-01T10:00:00Z", "2.00"), (3, "DE", "2024-01-02T10:00:00Z", "3.00"))));

        await _h.RunAsync(id, EngineHarness.Text("fix.csv", Csv((10, "DE", "2024-01-01T12:00:00Z", "10.00"), (11, "DE", "2024-01-01T13:00:00Z", "11.00"))));

        var rows = await _h.QueryAsync(id, "SELECT id FROM {curated} ORDER BY id");
        rows.Select(r => (long)r[0]!).Should().Equal(2, 3, 10, 11);
    }

    [Fact]
    public async Task RunAsync_Merge_ReplacesRowsWithTheSameKeyAcrossPartitionsAndKeepsTheRest()
    {
        var id = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(id, WriteMode.Merge));
        await _h.RunAsync(id, EngineHarness.Text("v1.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "FR", "2024-01-01T10:00:00Z", "2.00"), (3, "DE", "2024-01-02T10:00:00Z", "3.00"))));

        // id 1 changes amount; id 3 moves to another day and country; id 4 is new; a duplicate key in one run is rejected.
        var second = await _h.RunAsync(id, EngineHarness.Text("v2.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.50"), (3, "IT", "2024-01-05T10:00:00Z", "3.50"), (4, "DE", "2024-01-02T11:00:00Z", "4.00"), (4, "DE", "2024-01-02T11:00:00Z", "4.10"))));

        second.Run.RowsRejected.Should().Be(1);
        var rows = await _h.QueryAsync(id, "SELECT id, amount, country, event_date::VARCHAR, _source_file FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}").Should().Equal(
            "1|1.50|DE|2024-01-01|v2.csv",
            "2|2.00|FR|2024-01-01|v1.csv",
            "3|3.50|IT|2024-01-05|v2.csv",
            "4|4.00|DE|2024-01-02|v2.csv");
    }

    [Fact]
    public async Task RunAsync_AfterACompatibleSchemaChange_OldAndNewFilesReadTogether()
    {
        var id = IngestTestData.NewDatasetId("web");
        var v1 = Events(id, WriteMode.Merge) with { Partitioning = [] };
        await _h.RegisterAsync(v1);
        await _h.RunAsync(id, EngineHarness.Text("v1.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "FR", "2024-01-01T10:00:00Z", "2.00"))));
        var v2 = v1 with
        {
            Columns = [.. v1.Columns.Select(c => c.Name == "amount" ? c with { Type = ColumnType.Decimal(12, 2) } : c), new ColumnDefinition { Name = "channel", Type = ColumnType.String }],
        };
        (await _h.Backends.Registry.RegisterAsync(v2)).Version.Should().Be(2);

        await _h.RunAsync(id, EngineHarness.Text("v2.csv", "id,country,at,amount,channel\n2,FR,2024-01-03T10:00:00Z,20.00,web\n3,DE,2024-01-03T10:00:00Z,30.00,shop\n"));

        var rows = await _h.QueryAsync(id, "SELECT id, amount, channel FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}").Should().Equal("1|1.00|", "2|20.00|web", "3|30.00|shop");
    }

    [Fact]
    public async Task RunAsync_MergeRowRejectedForItsPartitionValue_KeepsTheExistingRowWithThatKey()
    {
        var id = IngestTestData.NewDatasetId("web");
        await _h.RegisterAsync(Events(id, WriteMode.Merge));
        await _h.RunAsync(id, EngineHarness.Text("v1.csv", Csv((1, "DE", "2024-01-01T10:00:00Z", "1.00"), (2, "FR", "2024-01-01T10:00:00Z", "2.00"))));

        // id 1 comes back with a country that can never be a folder name: the row is quarantined, so it must not
        // replace (delete) the id 1 already in the lake.
        var second = await _h.RunAsync(id, EngineHarness.Text("v2.csv", Csv((1, "__HIVE_DEFAULT_PARTITION__", "2024-01-01T10:00:00Z", "9.00"), (3, "IT", "2024-01-01T10:00:00Z", "3.00"))));

        second.Run.RowsRejected.Should().Be(1);
        var rows = await _h.QueryAsync(id, "SELECT id, amount, _source_file FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}").Should().Equal("1|1.00|v1.csv", "2|2.00|v1.csv", "3|3.00|v2.csv");
    }
}
