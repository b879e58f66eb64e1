using System.Text;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

/// <summary>Issue 15: a source that does not match its definition fails loudly (or, opted in, says what it lacked), and nothing is lost silently.</summary>
public sealed class NoSilentLossTests : IDisposable
{
    private const string MissingFix = "Fix the file, set the column's sourceColumn to the file's name for it, or mark the column \"optional\": true if some files lack it.";
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static DatasetDefinition Costs(DatasetId id, SourceFormat? format = null, bool optional = false) => new()
    {
        Id = id,
        Source = new SourceDefinition { Format = format ?? SourceFormat.Csv },
        Columns =
        [
            IngestTestData.Column("id", ColumnType.Int64, nullable: false),
            new ColumnDefinition { Name = "cost_total", Type = ColumnType.Decimal(18, 2), SourceColumn = "Cost Total", Optional = optional },
            IngestTestData.Column("region", ColumnType.String),
        ],
    };

    /// <summary>A run over its reject budget publishes nothing and keeps its rejects apart, where <see cref="RunRejects"/> reads them.</summary>
    private async Task<List<RejectedRow>> AssertOnlyRejectsKeptAsync(DatasetId id)
    {
        var run = await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync();
        run.Status.Should().Be(RunStatus.Failed);
        run.FilesWritten.Should().BeEmpty();
        var kept = DatasetLayout.FailedRunRejectsPrefix(id, run.RunId);
        _h.Lake.Objects.Should().NotBeEmpty().And.OnlyContain(o => o.Zone == LakeZone.Quarantine && o.Key.StartsWith(kept, StringComparison.Ordinal));
        run.RejectsKept.Should().Equal(_h.Keys(LakeZone.Quarantine));
        return await RunRejects.ReadAsync(_h.Lake, run).ToListAsync();
    }

    private async Task AssertNothingChangedAsync(DatasetId id)
    {
        _h.Lake.Objects.Should().BeEmpty();
        var run = await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync();
        run.Status.Should().Be(RunStatus.Failed);
        _h.Keys(LakeZone.Curated).Should().BeEmpty("no curated row is published");
    }

    [Fact]
    public async Task RunAsync_NullableColumnMissingFromTheHeader_FailsNamingItTheFileColumnsAndTheClosestMatch()
    {
        var id = IngestTestData.NewDatasetId("fin");
        await _h.RegisterAsync(Costs(id));

        var act = () => _h.RunAsync(id, EngineHarness.Text("costs.csv", "id,Cost Total $,region\n1,10.00,north\n"));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Be(
            "costs.csv: the definition's column 'cost_total' (sourceColumn 'Cost Total'): did you mean 'Cost Total $'? is not in the file, which has 'id', 'Cost Total $', 'region'; nothing was written. " + MissingFix);
        error.Column.Should().Be("cost_total");
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_TwoColumnsMissing_NamesBoth()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));

        var act = () => _h.RunAsync(id, EngineHarness.Text("o.csv", "id,Customer\n1,Ada\n"));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            "o.csv: the definition's columns 'customer': did you mean 'Customer'?; 'amount'; 'qty' are not in the file, which has 'id', 'Customer'; nothing was written. " + MissingFix);
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_OptionalColumnMissing_WritesNullsAndCountsTheInputsWithoutIt()
    {
        var id = IngestTestData.NewDatasetId("fin");
        await _h.RegisterAsync(Costs(id, optional: true));

        var result = await _h.RunAsync(
            id,
            EngineHarness.Text("a.csv", "id,region\n1,north\n"),
            EngineHarness.Text("b.csv", "id,Cost Total,region\n2,5.50,south\n"));

        result.Run.RowsWritten.Should().Be(2);
        result.Run.Counters.Should().Contain("ingest.inputs_without.cost_total", 1);
        (await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync()).Counters.Should().Contain("ingest.inputs_without.cost_total", 1);
        var rows = await _h.QueryAsync(id, "SELECT id, CAST(cost_total AS VARCHAR) FROM {curated} ORDER BY id");
        rows.Select(r => $"{r[0]}|{r[1]}").Should().Equal("1|", "2|5.50");
    }

    [Fact]
    public async Task RunAsync_JsonLinesColumnInNoRecord_FailsAfterReadingAndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId("fin");
        await _h.RegisterAsync(Costs(id, SourceFormat.JsonLines));

        var act = () => _h.RunAsync(id, EngineHarness.Text("c.jsonl", "{\"id\":1,\"Cost Total $\":\"1.00\",\"region\":\"n\"}\n{\"id\":2,\"region\":null}\n"));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            "c.jsonl: the definition's column 'cost_total' (sourceColumn 'Cost Total'): did you mean 'Cost Total $'? is not in the file, which has 'id', 'Cost Total $', 'region'; nothing was written. " + MissingFix);
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_JsonLinesColumnInSomeRecords_IsNullInTheOthers()
    {
        var id = IngestTestData.NewDatasetId("fin");
        await _h.RegisterAsync(Costs(id, SourceFormat.JsonLines));

        var result = await _h.RunAsync(id, EngineHarness.Text("c.jsonl", "{\"id\":1,\"Cost Total\":\"1.00\"}\n{\"id\":2,\"region\":\"s\"}\n"));

        result.Run.RowsWritten.Should().Be(2);
        (await _h.QueryAsync(id, "SELECT count(cost_total), count(region) FROM {curated}")).Single().Should().Equal(1L, 1L);
    }

    [Fact]
    public async Task RunAsync_ParquetWithoutAField_FailsNamingTheFileFields()
    {
        var id = IngestTestData.NewDatasetId("fin");
        await _h.RegisterAsync(Costs(id, SourceFormat.Parquet));
        var path = Path.Combine(Path.GetTempPath(), $"ingest-{Guid.NewGuid():N}.parquet");
        EngineHarness.Query($"COPY (SELECT 1::BIGINT AS id, 'n' AS region) TO '{path}' (FORMAT parquet)");
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);

        var act = () => _h.RunAsync(id, EngineHarness.Bytes("c.parquet", bytes));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            "c.parquet: the definition's column 'cost_total' (sourceColumn 'Cost Total') is not in the file, which has 'id', 'region'; nothing was written. " + MissingFix);
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_DuplicateHeaderName_FailsNamingBothPositions()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));

        var act = () => _h.RunAsync(id, EngineHarness.Text("d.csv", "id,customer,customer,amount,qty\n1,a,b,1.00,1\n"));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            "d.csv line 1: the header names 'customer' twice, in columns 2 and 3, so it is not clear which one the definition means; rename one in the file, or map the columns by position with source.csv.columns. Nothing was written.");
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_DuplicateHeaderNameWithColumnsByPosition_ReadsByPosition()
    {
        var id = IngestTestData.NewDatasetId("sales");
        var definition = IngestTestData.Definition(id);
        await _h.RegisterAsync(definition with
        {
            Source = definition.Source with { Csv = new CsvSettings { Columns = ["id", "customer", "other", "amount", "qty"] } },
        });

        var result = await _h.RunAsync(id, EngineHarness.Text("d.csv", "id,customer,customer,amount,qty\n1,a,b,1.00,1\n"));

        result.Run.RowsWritten.Should().Be(1);
        (await _h.QueryAsync(id, "SELECT customer FROM {curated}")).Single()[0].Should().Be("a");
    }

    private static string TwentyOneLines()
    {
        var text = new StringBuilder("id,customer,amount,qty\n");
        for (var i = 2; i <= 21; i++)
        {
            text.Append(i == 7 ? $"{i},\"never closed,1.00,1\n" : $"{i},c{i},1.00,1\n");
        }

        return text.ToString();
    }

    [Fact]
    public async Task RunAsync_UnclosedQuote_CountsTheLinesItAbsorbedAgainstTheRejectBudget()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));

        var act = () => _h.RunAsync(id, EngineHarness.Text("q.csv", TwentyOneLines()));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().StartWith(
            $"Dataset {id}: 1 of 6 rows were rejected (75.0 % (counting the 14 further lines that rejected records took in)), above quality.maxRejectRatio 5.0 %; nothing was published. "
            + "Most frequent: a quoted field opened on line 7 is never closed (1), e.g. q.csv line 7: a quoted field opened on line 7 is never closed: the record absorbed 15 lines (7 to 21), each counted as a rejected row against quality.maxRejectRatio [fix: source.csv.delimiter and source.csv.quote].");
        var kept = await AssertOnlyRejectsKeptAsync(id);
        kept.Should().ContainSingle().Which.SourceLine.Should().Be(7);
    }

    [Fact]
    public async Task RunAsync_UnclosedQuoteWithinTheBudget_QuarantinesOneRecordSayingHowManyLinesItAbsorbed()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new QualitySettings { MaxRejectRatio = 1 } });

        var result = await _h.RunAsync(id, EngineHarness.Text("q.csv", TwentyOneLines()));

        result.Run.RowsWritten.Should().Be(5);
        var reject = (await _h.QueryAsync(id, "SELECT _reason, _source_line FROM {quarantine}")).Single();
        reject.Should().Equal("a quoted field opened on line 7 is never closed: the record absorbed 15 lines (7 to 21), each counted as a rejected row against quality.maxRejectRatio", 7L);
    }

    [Fact]
    public async Task RunAsync_QuotedFieldOverTheLineLimit_FailsNamingWhereItOpened()
    {
        var id = IngestTestData.NewDatasetId("sales");
        var definition = IngestTestData.Definition(id);
        await _h.RegisterAsync(definition with { Source = definition.Source with { Csv = new CsvSettings { MaxQuotedFieldLines = 5 } } });

        var act = () => _h.RunAsync(id, EngineHarness.Text("q.csv", TwentyOneLines()));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            "q.csv line 7: the quoted field 2 opened on this line is still open 15 lines later, at line 22 (source.csv.maxQuotedFieldLines is 5); close the quote in the file, or raise the limit if a field really spans that many lines. Nothing was written.");
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_InputChangedWhileCopied_FailsAndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var path = Path.Combine(Path.GetTempPath(), $"ingest-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "id,customer,amount,qty\n1,a,1.00,1\n");
        File.SetLastWriteTimeUtc(path, new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc));
        var input = IngestInput.FromFile(path);
        var lake = new FaultyLake(_h.Backends.Lake)
        {
            // The exporter is still writing: a line arrives while the raw copy is being completed.
            BeforeComplete = (zone, key) =>
            {
                if (zone == LakeZone.Raw && key.EndsWith("/" + Path.GetFileName(path), StringComparison.Ordinal))
                {
                    File.AppendAllText(path, "2,b,2.00,2\n");
                    File.SetLastWriteTimeUtc(path, new DateTime(2024, 5, 1, 10, 0, 1, DateTimeKind.Utc));
                }
            },
        };

        try
        {
            var act = () => new IngestPipelineBuilder(_h.Backends with { Lake = lake }).ForDataset(id).Build().RunAsync([input]);

            (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
                $"{Path.GetFileName(path)}: the file changed while it was copied to the raw zone (it went from 34 bytes, modified 2024-05-01 10:00:00.000Z, to 45 bytes, modified 2024-05-01 10:00:01.000Z, and 34 bytes were copied); nothing was published. "
                + "Run again once the file is complete (a writer that renames the finished file into place avoids this).");
            await AssertNothingChangedAsync(id);
            (await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync()).Sources.Should().BeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunAsync_OverTheRejectBudget_ShowsExamplesWithTheMemberThatFixesThem()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id,
            IngestTestData.Column("id", ColumnType.Int64, nullable: false), IngestTestData.Column("day", ColumnType.Date)));

        var act = () => _h.RunAsync(id, EngineHarness.Text("d.csv", "id,day\n1,05/01/2024\n2,05/02/2024\n3,05/03/2024\n4,05/04/2024\n"));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        var runId = error.RunId;
        error.Message.Should().Be(
            $"Dataset {id}: 4 of 4 rows were rejected (100.0 %), above quality.maxRejectRatio 5.0 %; nothing was published. Most frequent: day: not a date (4), e.g. "
            + "d.csv line 2, column \"day\": \"05/01/2024\" is not a date (expected a date as yyyy-MM-dd) [fix: source.dateFormats], "
            + "d.csv line 3, column \"day\": \"05/02/2024\" is not a date (expected a date as yyyy-MM-dd) [fix: source.dateFormats], "
            + "d.csv line 4, column \"day\": \"05/03/2024\" is not a date (expected a date as yyyy-MM-dd) [fix: source.dateFormats]. "
            + $"The 4 rejected rows are kept apart, unpublished, under quarantine/_failed_runs/{id.Domain}/{id.Name}/{runId} (ingest rejects {id} --run {runId}).");
        var kept = await AssertOnlyRejectsKeptAsync(id);
        kept.Select(r => (r.SourceFile, r.SourceLine, r.Reason, r.Values["day"])).Should().Equal(
            ("d.csv", 2L, "day: \"05/01/2024\" is not a date (expected a date as yyyy-MM-dd)", "05/01/2024"),
            ("d.csv", 3L, "day: \"05/02/2024\" is not a date (expected a date as yyyy-MM-dd)", "05/02/2024"),
            ("d.csv", 4L, "day: \"05/03/2024\" is not a date (expected a date as yyyy-MM-dd)", "05/03/2024"),
            ("d.csv", 5L, "day: \"05/04/2024\" is not a date (expected a date as yyyy-MM-dd)", "05/04/2024"));
    }

    [Theory]
    [InlineData("utf-16le", "UTF-16LE", "utf-16")]
    [InlineData("utf-16be", "UTF-16BE", "utf-16be")]
    public async Task RunAsync_Utf16WithoutByteOrderMark_SaysWhichEncodingToSet(string written, string looksLike, string setting)
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var encoding = new UnicodeEncoding(bigEndian: written.EndsWith("be", StringComparison.Ordinal), byteOrderMark: false);

        var act = () => _h.RunAsync(id, EngineHarness.Bytes("u.csv", encoding.GetBytes("id,customer,amount,qty\n1,a,1.00,1\n")));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            $"u.csv line 1: the text holds NUL characters, so the file looks like {looksLike} without a byte order mark, but source.encoding is utf-8; set source.encoding to \"{setting}\" (or save the file as UTF-8).");
        await AssertNothingChangedAsync(id);
    }

    [Fact]
    public async Task RunAsync_JsonLinesInUtf16WithoutByteOrderMark_SaysWhichEncodingToSet()
    {
        var id = IngestTestData.NewDatasetId("fin");
        await _h.RegisterAsync(Costs(id, SourceFormat.JsonLines));

        var act = () => _h.RunAsync(id, EngineHarness.Bytes("u.jsonl", new UnicodeEncoding(false, false).GetBytes("{\"id\":1}\n")));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().StartWith(
            "u.jsonl line 1: the text holds NUL characters, so the file looks like UTF-16LE without a byte order mark");
        await AssertNothingChangedAsync(id);
    }
}
