using Ingest.Definitions;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

/// <summary>
/// A Parquet source (written by DuckDB, not by Ingest) whose physical types differ from the definition's: values are
/// handed over typed where the types agree and converted with the text rules otherwise, so every value is accepted or
/// rejected exactly as the same value in a CSV file is, with the same reason; the output is read back with DuckDB.
/// </summary>
public sealed class ParquetTypedSourceTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("int32", "BIGINT", "1|3000000000|-2147483648|2147483648", 2)]
    [InlineData("int64", "INTEGER", "1|-7|2147483647", 0)]
    [InlineData("decimal(18,2)", "DECIMAL(10,3)", "1.250|1.255|-0.010", 1)]
    [InlineData("decimal(4,2)", "DECIMAL(18,2)", "12.34|123.45", 1)]
    [InlineData("int64", "VARCHAR", "7|x|1e3", 2)]
    [InlineData("double", "DECIMAL(18,4)", "1.5000|-2.2500", 0)]
    [InlineData("boolean", "VARCHAR", "true|maybe|false", 1)]
    [InlineData("date", "VARCHAR", "2024-05-01|2024-02-30", 1)]
    public async Task AValueOfAnotherPhysicalType_IsAcceptedOrRejectedAsTheSameTextInACsv(string columnType, string parquetType, string values, int rejected)
    {
        var texts = values.Split('|');
        var fromParquet = await RunAsync(columnType, SourceFormat.Parquet, ParquetFile(parquetType, texts));
        var fromCsv = await RunAsync(columnType, SourceFormat.Csv, EngineHarness.Text("v.csv", "n,v\n" + string.Concat(texts.Select((t, i) => $"{i},{t}\n"))));

        fromParquet.Written.Should().Equal(fromCsv.Written, "the accepted values land the same");
        fromParquet.Reasons.Should().Equal(fromCsv.Reasons, "a value is rejected with the same reason whatever the file format");
        (fromParquet.Written.Count + fromParquet.Reasons.Count).Should().Be(texts.Length, "every row is written or quarantined");
        fromParquet.Reasons.Should().HaveCount(rejected, string.Join(" / ", fromParquet.Reasons));
    }

    [Fact]
    public async Task ANullIntoANonNullableColumn_IsRejected_AndTimestampUnitsReadTheSameInstant()
    {
        var id = IngestTestData.NewDatasetId("typed");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.Parquet },
            Columns =
            [
                IngestTestData.Column("n", ColumnType.Int64, nullable: false),
                IngestTestData.Column("ms", ColumnType.Timestamp),
                IngestTestData.Column("us", ColumnType.Timestamp),
                IngestTestData.Column("ns", ColumnType.Timestamp),
            ],
            Quality = new QualitySettings { MaxRejectRatio = 1 },
        });
        var bytes = Parquet("""
            SELECT * FROM (VALUES
              (1::BIGINT, TIMESTAMP_MS '2024-05-01 10:00:00.123', TIMESTAMP '2024-05-01 10:00:00.123', TIMESTAMP_NS '2024-05-01 10:00:00.123'),
              (NULL::BIGINT, TIMESTAMP_MS '2024-05-01 10:00:00', TIMESTAMP '2024-05-01 10:00:00', TIMESTAMP_NS '2024-05-01 10:00:00')
            ) AS t(n, ms, us, ns)
            """);

        var result = await _h.RunAsync(id, EngineHarness.Bytes("t.parquet", bytes));

        result.Run.RowsWritten.Should().Be(1);
        result.Run.RowsRejected.Should().Be(1);
        (await _h.QueryAsync(id, "SELECT _reason FROM {quarantine}")).Single()[0].Should().BeOfType<string>().Which.Should().Contain("n");
        (await _h.QueryAsync(id, "SELECT epoch_us(ms) = epoch_us(us) AND epoch_us(us) = epoch_us(ns), epoch_us(us) FROM {curated}")).Single()
            .Should().Equal(true, 1_714_557_600_123_000L);
    }

    private async Task<(List<string> Written, List<string> Reasons)> RunAsync(string columnType, SourceFormat format, Ingest.Engine.IngestInput input)
    {
        var id = IngestTestData.NewDatasetId("typed");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = format },
            Columns = [IngestTestData.Column("n", ColumnType.Int32, nullable: false), IngestTestData.Column("v", ColumnType.Parse(columnType))],
            Quality = new QualitySettings { MaxRejectRatio = 1 },
        });
        await _h.RunAsync(id, input);
        var written = (await _h.QueryAsync(id, "SELECT CAST(v AS VARCHAR) FROM {curated} ORDER BY n")).Select(r => (string?)r[0] ?? "null").ToList();
        var reasons = _h.Keys(global::Ingest.Storage.LakeZone.Quarantine).Count == 0
            ? []
            : (await _h.QueryAsync(id, "SELECT _reason FROM {quarantine} ORDER BY _source_line")).Select(r => (string)r[0]!).ToList();
        return (written, reasons);
    }

    private static Ingest.Engine.IngestInput ParquetFile(string parquetType, string[] texts)
        => EngineHarness.Bytes("v.parquet", Parquet(
            "SELECT * FROM (VALUES " + string.Join(", ", texts.Select((t, i) => $"({i}, CAST('{t}' AS VARCHAR))")) + ") AS t(n, s)",
            $"SELECT n::INTEGER AS n, TRY_CAST(s AS {parquetType}) AS v, s FROM src"));

    private static byte[] Parquet(string select, string? project = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ingest-{Guid.NewGuid():N}.parquet");
        var sql = project is null ? select : $"WITH src AS ({select}) {project}";
        EngineHarness.Query($"COPY ({sql}) TO '{path}' (FORMAT parquet)");
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}
