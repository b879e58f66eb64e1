using System.Text.Json.Nodes;
using Ingest.Aws.CloudWatch;
using Ingest.Definitions;
using Ingest.Ledger;

namespace Ingest.Aws.Tests.CloudWatch;

public sealed class EmbeddedMetricsTests
{
    [Fact]
    public void Format_Run_IsOneEmfLineWithDatasetDimension()
    {
        var run = new RunRecord
        {
            RunId = "20240501T100000Z-abcd1234",
            Dataset = DatasetId.Parse("sales.orders"),
            DefinitionVersion = 2,
            Status = RunStatus.Succeeded,
            StartedAt = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(2024, 5, 1, 10, 0, 30, TimeSpan.Zero),
            RowsRead = 100,
            RowsWritten = 97,
            RowsRejected = 3,
            FilesWritten = ["curated/a.parquet", "quarantine/b.parquet"],
            PartitionsWritten = ["ordered_at_day=2024-05-01/"],
        };

        var line = EmbeddedMetrics.Format(run, bytesWritten: 4096, retries: 1);

        line.Should().NotContain("\n");
        var record = JsonNode.Parse(line)!;
        var directive = record["_aws"]!["CloudWatchMetrics"]![0]!;
        directive["Namespace"]!.GetValue<string>().Should().Be("Ingest");
        directive["Dimensions"]![0]!.AsArray().Select(d => d!.GetValue<string>()).Should().Equal("Dataset");
        record["_aws"]!["Timestamp"]!.GetValue<long>().Should().Be(run.EndedAt!.Value.ToUnixTimeMilliseconds());
        record["Dataset"]!.GetValue<string>().Should().Be("sales.orders");
        var names = directive["Metrics"]!.AsArray().Select(m => m!["Name"]!.GetValue<string>()).ToList();
        names.Should().Equal("RowsRead", "RowsWritten", "RowsRejected", "FilesWritten", "PartitionsWritten", "DurationSeconds", "BytesWritten", "AverageFileSizeBytes", "Retries");
        names.Should().OnlyContain(n => record[n] != null, "every declared metric has its value in the record");
        record["RowsRejected"]!.GetValue<double>().Should().Be(3);
        record["DurationSeconds"]!.GetValue<double>().Should().Be(30);
        record["AverageFileSizeBytes"]!.GetValue<double>().Should().Be(2048);
    }
}
