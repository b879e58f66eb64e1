using System.Globalization;
using System.Text;
using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Testing;

namespace Ingest.Tests.Engine.Writing;

/// <summary>
/// Many row groups through the reused column buffers and the background row-group writes: every value
/// must come back as it went in (nulls, empty strings, long strings after short ones, each partition apart).
/// </summary>
public sealed class StagedParquetWriterTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_ManySmallRowGroupsAcrossPartitions_EveryValueComesBackUnchanged()
    {
        var id = IngestTestData.NewDatasetId("rowgroups");
        await _h.RegisterAsync(new DatasetDefinition
        {
            Id = id,
            Source = new SourceDefinition { Format = SourceFormat.Csv, NullMarkers = ["NULL"] },
            Columns =
            [
                new() { Name = "id", Type = ColumnType.Int64, Nullable = false },
                new() { Name = "text", Type = ColumnType.String },
                new() { Name = "amount", Type = ColumnType.Decimal(18, 2) },
                new() { Name = "ts", Type = ColumnType.Timestamp },
            ],
            // 1 MiB row groups: 30,000 rows of up to 2,000 characters make several per partition.
            Write = new WriteSettings { RowGroupSizeMb = 1 },
            Partitioning = [new PartitionField { Column = "ts", Transform = PartitionTransform.Day }],
        });

        const int rows = 30_000;
        var csv = new StringBuilder("id,text,amount,ts\n");
        var expected = new Dictionary<long, (string? Text, decimal? Amount)>();
        for (var i = 0; i < rows; i++)
        {
            string? text = (i % 7) switch
            {
                0 => null,
                1 => string.Empty,
                2 => new string((char)('a' + (i % 26)), 1 + (i % 2_000)),
                _ => string.Create(CultureInfo.InvariantCulture, $"value {i} äöü €"),
            };
            decimal? amount = i % 11 == 0 ? null : i / 100m;
            expected[i] = (text, amount);
            var field = text switch { null => "NULL", "" => "\"\"", _ => text };
            var day = 1 + (i % 3);
            csv.Append(CultureInfo.InvariantCulture, $"{i},{field},{(amount is null ? "NULL" : amount.Value.ToString("0.00", CultureInfo.InvariantCulture))},2024-05-0{day} 10:00:00\n");
        }

        var result = await _h.RunAsync(id, EngineHarness.Text("rows.csv", csv.ToString()));

        result.Run.Status.Should().Be(RunStatus.Succeeded);
        result.Run.RowsWritten.Should().Be(rows);
        result.Run.PartitionsWritten.Should().HaveCount(3);
        var groups = await _h.QueryAsync(id, "SELECT count(DISTINCT (file_name, row_group_id))::BIGINT FROM parquet_metadata({curated_glob})");
        ((long)groups.Single()[0]!).Should().BeGreaterThan(6, "the test is about many row groups per file");

        var back = await _h.QueryAsync(id, "SELECT id, text, amount, _source_line FROM {curated} ORDER BY id");
        back.Should().HaveCount(rows);
        foreach (var row in back)
        {
            var i = (long)row[0]!;
            ((string?)row[1]).Should().Be(expected[i].Text, $"text of id {i}");
            ((decimal?)row[2]).Should().Be(expected[i].Amount, $"amount of id {i}");
            row[3].Should().Be(i + 2, $"line of id {i}");
        }
    }
}
