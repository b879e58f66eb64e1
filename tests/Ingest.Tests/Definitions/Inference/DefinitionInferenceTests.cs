using System.Text;
using Ingest.Definitions;
using Ingest.Definitions.Inference;
using Ingest.Engine;
using Ingest.Tests.Engine;
using Xunit.Abstractions;

namespace Ingest.Tests.Definitions.Inference;

public sealed class DefinitionInferenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private const string PublicHeaderCsv =
        "Airport: Name,Cost Total $,Zip,Incident Date,Struck At,Damage,Count,Big Id,Ratio,Wildlife: Species,Flag\n"
        + "Denver Intl,1234.50,00123,Jan 1 2000,2000-01-01 10:15:00,yes,3,5000000000,1.5e3,Mourning dove,1\n"
        + "O'Hare,99.00,60601,Feb 29 2000,2000-02-29 23:59:59,no,12,5000000001,2.25,NULL,0\n"
        + "\"Austin, Bergstrom\",0.10,78719,Dec 31 2001,2001-12-31 00:00:00,no,,5000000002,-0.5,Red-tailed hawk,1\n";

    [Fact]
    public async Task InferAsync_PublicHeader_NamesTypesFormatsAndNullsFromTheData()
    {
        var inferred = await InferAsync("strikes.csv", PublicHeaderCsv, "faa.strikes");

        var d = inferred.Definition;
        d.Source.Csv.Header.Should().BeTrue();
        d.Source.Csv.Delimiter.Should().Be(",");
        d.Source.NullMarkers.Should().Equal("", "NULL");
        d.Source.DateFormats.Should().Equal("MMM d yyyy");
        d.Source.TimestampFormats.Should().BeEmpty("ISO 8601 is the default");
        Columns(d).Should().Equal(
            "airport_name string not null <- Airport: Name",
            "cost_total decimal(6,2) not null <- Cost Total $",
            "zip string not null <- Zip",
            "incident_date date not null <- Incident Date",
            "struck_at timestamp not null <- Struck At",
            "damage boolean not null <- Damage",
            "count int32 <- Count",
            "big_id int64 not null <- Big Id",
            "ratio double not null <- Ratio",
            "wildlife_species string <- Wildlife: Species",
            "flag int32 not null <- Flag");
        inferred.Report.Columns.Single(c => c.Name == "zip").Reason.Should().Contain("leading zeros").And.Contain("\"00123\"");
        inferred.Report.Checks.Should().ContainSingle().Which.RecordsRejected.Should().Be(0);

        // What inference accepted, a run accepts: the file ingests with no rejects, with the values the sample showed.
        await _harness.RegisterAsync(d);
        var run = await _harness.RunAsync(d.Id, EngineHarness.Text("strikes.csv", PublicHeaderCsv));
        run.Run.RowsRejected.Should().Be(0);
        run.Run.RowsWritten.Should().Be(3);
        var rows = await _harness.QueryAsync(d.Id, "select zip, incident_date::varchar, cost_total::varchar, wildlife_species from {curated} order by big_id");
        rows.Select(r => string.Join('|', r)).Should().Equal("00123|2000-01-01|1234.50|Mourning dove", "60601|2000-02-29|99.00|", "78719|2001-12-31|0.10|Red-tailed hawk");
    }

    [Fact]
    public async Task InferAsync_Suggestions_AreReportedNotApplied()
    {
        var csv = new StringBuilder("id,status,day\n");
        for (var i = 1; i <= 40; i++)
        {
            csv.Append(i).Append(',').Append(i % 3 == 0 ? "open" : "paid").Append(",2024-05-").Append((i % 28 + 1).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        var inferred = await InferAsync("orders.csv", csv.ToString(), "shop.orders");

        inferred.Definition.Keys.Should().BeEmpty("suggestions are not applied");
        inferred.Definition.Partitioning.Should().BeEmpty();
        inferred.Definition.Quality.Rules.Should().BeEmpty();
        inferred.Report.Suggestions.Select(s => $"{s.Kind} {s.Json}").Should().Equal(
            "Keys [\"id\"]",
            "Partitioning [{ \"column\": \"day\", \"transform\": \"day\" }]",
            "Rule {\"type\":\"allowed-values\",\"column\":\"status\",\"values\":[\"open\",\"paid\"]}");
    }

    [Fact]
    public async Task InferAsync_SemicolonsDecimalCommaLegacyEncodingNoHeader_DetectsTheDialect()
    {
        var latin = Encoding.Latin1;
        var text = "1;Café Müller;12,50;01.05.2024\n2;Bäckerei;3,00;31.12.2024\n3;Crêperie;0,99;29.02.2024\n";
        var bytes = latin.GetBytes(text);
        var input = EngineHarness.Bytes("export.txt", bytes);

        var inferred = await DefinitionInference.InferAsync([input], new DefinitionInferenceOptions { Id = DatasetId.Parse("pos.sales") });
        output.WriteLine(inferred.Report.ToString());

        var d = inferred.Definition;
        d.Source.Encoding.Should().Be("windows-1252");
        d.Source.Csv.Delimiter.Should().Be(";");
        d.Source.Csv.Header.Should().BeFalse("the first record holds numbers and dates like the others");
        d.Source.DecimalSeparator.Should().Be(",");
        d.Source.DateFormats.Should().Equal("dd.MM.yyyy");
        Columns(d).Should().Equal("column_1 int32 not null", "column_2 string not null", "column_3 decimal(4,2) not null", "column_4 date not null");

        await _harness.RegisterAsync(d);
        var run = await _harness.RunAsync(d.Id, EngineHarness.Bytes("export.txt", bytes));
        run.Run.RowsRejected.Should().Be(0);
        (await _harness.QueryAsync(d.Id, "select column_2 from {curated} order by column_1")).Select(r => r[0]).Should().Equal("Café Müller", "Bäckerei", "Crêperie");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InferAsync_Utf16_WithOrWithoutByteOrderMark(bool bom)
    {
        var text = "name\tcount\nÅsa\t1\nBjörn\t2\n";
        var bytes = (bom ? new byte[] { 0xFF, 0xFE } : []).Concat(new UnicodeEncoding(false, false).GetBytes(text)).ToArray();

        var inferred = await DefinitionInference.InferAsync([EngineHarness.Bytes("people.tsv", bytes)], new DefinitionInferenceOptions { Id = DatasetId.Parse("hr.people") });

        inferred.Definition.Source.Encoding.Should().Be("utf-16");
        inferred.Definition.Source.Csv.Delimiter.Should().Be("\\t");
        Columns(inferred.Definition).Should().Equal("name string not null", "count int32 not null");
        inferred.Report.RecordsRejected.Should().Be(0);
    }

    [Fact]
    public async Task InferAsync_JsonLines_PropertiesInFirstOrderAndAbsentOnesNullable()
    {
        var jsonl = "{\"id\": 1, \"name\": \"a\", \"price\": 9.99, \"at\": \"2024-05-01T10:00:00Z\", \"tags\": [\"x\"]}\n"
            + "{\"id\": 2, \"name\": \"b\", \"price\": 10, \"at\": \"2024-05-02T11:30:00+02:00\", \"active\": true}\n"
            + "not json\n";

        var inferred = await InferAsync("items.jsonl", jsonl, "shop.items");

        Columns(inferred.Definition).Should().Equal(
            "id int32 not null", "name string not null", "price decimal(4,2) not null", "at timestamp not null", "tags string", "active boolean");
        inferred.Report.RecordsRejected.Should().Be(1, "the line that is not JSON is what a run rejects, and the report says so");
        inferred.Report.Checks.Single().Rejects.Should().ContainSingle().Which.Should().Contain("items.jsonl line 3").And.Contain("invalid JSON");
    }

    [Fact]
    public async Task InferAsync_Parquet_TakesTheFilesTypes()
    {
        var folder = Directory.CreateTempSubdirectory("ingest-infer-").FullName;
        var file = Path.Combine(folder, "t.parquet");
        EngineHarness.Query($"copy (select 1::integer as id, 12.5::decimal(9,2) as amount, date '2024-05-01' as day, 'x' as \"Label Text\", null::bigint as big union all select 2, null, date '2024-05-02', 'y', 5) to '{file}' (format parquet)");

        var inferred = await DefinitionInference.InferAsync([IngestInput.FromFile(file)], new DefinitionInferenceOptions { Id = DatasetId.Parse("lake.t") });
        output.WriteLine(inferred.Report.ToString());

        Columns(inferred.Definition).Should().Equal("id int32 not null", "amount decimal(9,2)", "day date not null", "label_text string not null <- Label Text", "big int64");
        inferred.Report.RecordsRejected.Should().Be(0);
    }

    [Fact]
    public async Task InferAsync_SampleBounds_DecideWhatIsRead()
    {
        var csv = new StringBuilder("code\n");
        for (var i = 0; i < 300; i++)
        {
            csv.Append(i + 1000).Append('\n');
        }

        csv.Append("X-1\n");

        var sampled = await InferAsync("codes.csv", csv.ToString(), "ref.codes", new DefinitionInferenceOptions { SampleRows = 50 });
        var whole = await InferAsync("codes.csv", csv.ToString(), "ref.codes", new DefinitionInferenceOptions { SampleRows = 50, WholeFile = true });
        var bytes = await InferAsync("codes.csv", csv.ToString(), "ref.codes", new DefinitionInferenceOptions { SampleBytes = 1024 });

        Columns(sampled.Definition).Should().Equal("code int32 not null");
        sampled.Report.Inputs.Single().Should().Be(new InferredInput("codes.csv", 50, csv.Length, false));
        Columns(whole.Definition).Should().Equal("code string not null");
        whole.Report.Inputs.Single().Records.Should().Be(301);
        Columns(bytes.Definition).Should().Equal(["code int32 not null"], "the last line is beyond the first KiB");
        bytes.Report.Inputs.Single().Bytes.Should().BeLessThanOrEqualTo(1024).And.Be(1020, "the sample ends after the last whole line");
        bytes.Report.Inputs.Single().WholeFile.Should().BeFalse();
    }

    [Fact]
    public async Task InferAsync_SeveralFiles_MergesColumnsByNameAndMarksTheMissingOnesOptional()
    {
        var may = EngineHarness.Text("may.csv", "id,amount\n1,2.5\n2,3.75\n");
        var june = EngineHarness.Text("june.csv", "amount,id,channel\n10,3,web\n11.125,4,shop\n");

        var inferred = await DefinitionInference.InferAsync([may, june], new DefinitionInferenceOptions { Id = DatasetId.Parse("shop.orders") });
        output.WriteLine(inferred.Report.ToString());

        Columns(inferred.Definition).Should().Equal("id int32 not null", "amount decimal(5,3) not null", "channel string");
        inferred.Definition.FindColumn("channel")!.Optional.Should().BeTrue("may.csv lacks it");
        inferred.Definition.FindColumn("id")!.Optional.Should().BeFalse();
        inferred.Report.Checks.Select(c => (c.Input, c.RecordsRejected, c.FileError)).Should().Equal(("may.csv", 0L, (string?)null), ("june.csv", 0L, (string?)null));

        await _harness.RegisterAsync(inferred.Definition);
        var run = await _harness.RunAsync(inferred.Definition.Id, may, june);
        run.Run.RowsWritten.Should().Be(4);
        run.Run.RowsRejected.Should().Be(0);
    }

    [Fact]
    public async Task InferAsync_RaggedRecord_IsPredictedAsARejectOfTheDraft()
    {
        var inferred = await InferAsync("r.csv", "a,b\n1,2\n3\n4,5\n", "x.r");

        Columns(inferred.Definition).Should().Equal("a int32 not null", "b int32 not null");
        var check = inferred.Report.Checks.Single();
        check.RecordsRejected.Should().Be(1);
        check.Rejects.Single().Should().Contain("r.csv line 3").And.Contain("ragged row");
        inferred.Report.Warnings.Should().Contain(w => w.Contains("another number of fields", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_AgainstAFile_MapsColumnsListsIgnoredOnesAndRejects()
    {
        var definition = DatasetDefinitionSerializer.Deserialize("""
            { "id": "shop.orders", "source": { "format": "csv" },
              "columns": [ { "name": "id", "type": "int64", "nullable": false, "sourceColumn": "Id" }, { "name": "total", "type": "decimal(5,2)" } ] }
            """);
        var good = EngineHarness.Text("o.csv", "Id,total,note\n1,2.50,x\n2,abc,y\n,1.00,z\n");
        var missing = EngineHarness.Text("m.csv", "ID,total\n1,2.50\n");

        var result = await DefinitionCheck.CheckAsync(definition, good);
        var broken = await DefinitionCheck.CheckAsync(definition, missing);
        output.WriteLine(DefinitionCheck.Describe(result));
        output.WriteLine(DefinitionCheck.Describe(broken));

        result.Columns.Should().Equal(new ColumnMatch("id", "Id", 1, false), new ColumnMatch("total", "total", 2, false));
        result.IgnoredFileColumns.Should().Equal("note");
        result.RecordsRead.Should().Be(3);
        result.RecordsRejected.Should().Be(2);
        result.Rejects[0].Should().StartWith("o.csv line 3, column \"total\": \"abc\" is not a decimal(5,2) (expected a decimal number").And.Contain("[fix: ");
        result.Rejects[1].Should().StartWith("o.csv line 4, column \"id\": missing value in a required column");
        result.IsClean.Should().BeFalse();

        broken.FileError.Should().Contain("'id' (sourceColumn 'Id'): did you mean 'ID'?");
        broken.Columns[0].Position.Should().BeNull();
        broken.IgnoredFileColumns.Should().Equal("ID");
    }

    private async Task<InferredDefinition> InferAsync(string name, string content, string id, DefinitionInferenceOptions? options = null)
    {
        options ??= new DefinitionInferenceOptions();
        options.Id = DatasetId.Parse(id);
        var inferred = await DefinitionInference.InferAsync([EngineHarness.Text(name, content)], options);
        output.WriteLine(inferred.Report.ToString());
        return inferred;
    }

    private static List<string> Columns(DatasetDefinition d)
        => [.. d.Columns.Select(c => $"{c.Name} {c.Type}{(c.Nullable ? string.Empty : " not null")}{(c.SourceColumn is { } s ? $" <- {s}" : string.Empty)}")];
}
