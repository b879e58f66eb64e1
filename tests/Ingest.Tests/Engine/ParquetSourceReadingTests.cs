using Ingest.Definitions;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

/// <summary>
/// How a Parquet source is read (issue 18): only the definition's columns, row group by row group, nulls placed on
/// their rows, dictionary-encoded and plain strings alike. The input is written by DuckDB and the output is compared
/// row by row with the input by DuckDB, so neither side of the check is Ingest's own reader or writer.
/// </summary>
public sealed class ParquetSourceReadingTests : IDisposable
{
    private const int Rows = 5_000;

    private readonly EngineHarness _h = new();
    private readonly string _source = Path.Combine(Path.GetTempPath(), $"ingest-source-{Guid.NewGuid():N}.parquet");

    public void Dispose()
    {
        _h.Dispose();
        File.Delete(_source);
    }

    [Fact]
    public async Task SeveralRowGroupsWithNullsAndDictionaries_LandRowForRow_AndColumnsOutsideTheDefinitionAreNotRead()
    {
        // Every column has nulls on rows of its own pattern, so a value handed to the wrong row shows; `status` has five
        // distinct values (dictionary pages), `note` one per row (plain pages once the dictionary gives up); `tags`, a
        // list, is a column Ingest cannot read: the run succeeds only because it is not one of the definition's.
        EngineHarness.Query($"""
            COPY (
              SELECT i::BIGINT AS id,
                     CASE WHEN i % 7 = 3 THEN NULL ELSE (i * 37 % 1000)::INTEGER END AS qty,
                     CASE WHEN i % 5 = 1 THEN NULL ELSE CAST(i / 8.0 AS DECIMAL(12,2)) END AS amount,
                     CASE WHEN i % 11 = 4 THEN NULL ELSE TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE END AS ts,
                     CASE WHEN i % 13 = 0 THEN NULL ELSE ['new', 'paid', 'shipped', 'returned', 'lost'][1 + i % 5] END AS status,
                     CASE WHEN i % 3 = 2 THEN NULL ELSE 'note ' || i::VARCHAR || repeat('x', i % 17) END AS note,
                     [i, i + 1] AS tags
              FROM range({Rows}) AS r(i)
            ) TO '{_source}' (FORMAT parquet, ROW_GROUP_SIZE 1024)
            """);
        var groups = EngineHarness.Query($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{_source}')").Single()[0];
        Convert.ToInt64(groups, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(2, "the input spans several row groups");
        var statusEncodings = (string)EngineHarness.Query($"SELECT string_agg(DISTINCT encodings, ',') FROM parquet_metadata('{_source}') WHERE path_in_schema = 'status'").Single()[0]!;
        statusEncodings.Should().Contain("DICTIONARY", "status is dictionary-encoded by DuckDB");

        var id = IngestTestData.NewDatasetId("pqread");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.Parquet },
            Columns =
            [
                IngestTestData.Column("id", ColumnType.Int64, nullable: false),
                IngestTestData.Column("note", ColumnType.String),
                IngestTestData.Column("qty", ColumnType.Int32),
                IngestTestData.Column("amount", ColumnType.Decimal(12, 2)),
                IngestTestData.Column("ts", ColumnType.Timestamp),
                IngestTestData.Column("status", ColumnType.String),
            ],
        });

        var result = await _h.RunAsync(id, EngineHarness.Bytes("orders.parquet", File.ReadAllBytes(_source)));

        result.Run.RowsWritten.Should().Be(Rows);
        result.Run.RowsRejected.Should().Be(0);
        var compared = (await _h.QueryAsync(id, $"""
            SELECT count(*),
                   count(*) FILTER (WHERE c.qty IS NOT DISTINCT FROM s.qty AND c.amount IS NOT DISTINCT FROM s.amount
                                      AND epoch_us(c.ts) IS NOT DISTINCT FROM epoch_us(s.ts) AND c.status IS NOT DISTINCT FROM s.status
                                      AND c.note IS NOT DISTINCT FROM s.note),
                   count(c.qty), count(c.amount), count(c.ts), count(c.status), count(c.note)
            FROM {"{curated}"} c JOIN read_parquet('{_source}') s USING (id)
            """)).Single().Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var nonNull = EngineHarness.Query($"SELECT count(qty), count(amount), count(ts), count(status), count(note) FROM read_parquet('{_source}')")
            .Single().Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));

        compared[0].Should().Be(Rows, "every source row is in the output once");
        compared[1].Should().Be(Rows, "every value equals the source's value on the same row, nulls included");
        compared.Skip(2).Should().Equal(nonNull, "the nulls are the source's nulls");
        compared.Skip(2).Should().AllSatisfy(n => n.Should().BeLessThan(Rows), "every column has nulls");
    }
}
