using System.Text.Json.Nodes;
using Ingest.Aws.CloudWatch;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Ledger;

namespace Ingest.Aws.Tests.CloudWatch;

public sealed class EmbeddedMetricsTests
{
    private static readonly RunRecord Run = new()
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
        Counters = new Dictionary<string, long>
        {
            [IngestRunCounters.BytesWritten] = 4096,
            ["aws.retries"] = 3,
            ["aws.s3.retries"] = 2,
            ["aws.dynamodb.retries"] = 1,
        },
    };

    [Fact]
    public void Format_Run_IsOneEmfLineWithDatasetDimension()
    {
        var line = EmbeddedMetrics.Format(Run);

        line.Should().NotContain("\n");
        EmfSpec.Check(line).Should().BeEmpty();
        var record = JsonNode.Parse(line)!;
        var directive = record["_aws"]!["CloudWatchMetrics"]![0]!;
        directive["Namespace"]!.GetValue<string>().Should().Be("Ingest");
        directive["Dimensions"]![0]!.AsArray().Select(d => d!.GetValue<string>()).Should().Equal("Dataset");
        record["_aws"]!["Timestamp"]!.GetValue<long>().Should().Be(Run.EndedAt!.Value.ToUnixTimeMilliseconds());
        record["Dataset"]!.GetValue<string>().Should().Be("sales.orders");
        record["Status"]!.GetValue<string>().Should().Be("succeeded");
        record["Engine"]!.GetValue<string>().Should().Be("in-process");
        directive["Dimensions"]!.AsArray().Select(d => string.Join('+', d!.AsArray().Select(n => n!.GetValue<string>()))).Should().Equal("Dataset", "Dataset+Status", "Engine");
        record["RunsFailed"]!.GetValue<double>().Should().Be(0);
        var names = directive["Metrics"]!.AsArray().Select(m => m!["Name"]!.GetValue<string>()).ToList();
        names.Should().Equal("RowsRead", "RowsWritten", "RowsRejected", "BytesWritten", "FilesWritten", "AverageFileSizeBytes", "PartitionsWritten", "DurationSeconds", "Retries", "RunsFailed");
        record["RowsRejected"]!.GetValue<double>().Should().Be(3);
        record["BytesWritten"]!.GetValue<double>().Should().Be(4096);
        record["DurationSeconds"]!.GetValue<double>().Should().Be(30);
        record["AverageFileSizeBytes"]!.GetValue<double>().Should().Be(2048);
        record["Retries"]!.GetValue<double>().Should().Be(3, "aws.retries is the total; aws.s3.retries and aws.dynamodb.retries are its parts");
    }

    [Fact]
    public void Format_RunningRunWithoutFiles_HasNoDurationAndAZeroAverage()
    {
        var running = Run with { Status = RunStatus.Running, EndedAt = null, FilesWritten = [], Counters = new Dictionary<string, long>() };

        var record = JsonNode.Parse(EmbeddedMetrics.Format(running, "Acme/Ingest"))!;

        EmfSpec.Check(record.ToJsonString()).Should().BeEmpty();
        record["_aws"]!["CloudWatchMetrics"]![0]!["Namespace"]!.GetValue<string>().Should().Be("Acme/Ingest");
        record["DurationSeconds"].Should().BeNull();
        record["AverageFileSizeBytes"]!.GetValue<double>().Should().Be(0);
        record["_aws"]!["Timestamp"]!.GetValue<long>().Should().Be(Run.StartedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Observer_WritesOneLinePerRun_AndIngestRunMetricsAgree()
    {
        using var writer = new StringWriter();
        var observer = EmbeddedMetrics.CreateObserver(writer);

        observer.OnRunCompleted(Run);
        observer.OnRunCompleted(Run with { RunId = "20240501T110000Z-00000001", Status = RunStatus.Failed, Error = "boom" });

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        var metrics = IngestRunMetrics.FromRun(Run);
        var first = JsonNode.Parse(lines[0])!;
        first["FilesWritten"]!.GetValue<double>().Should().Be(metrics.FilesWritten);
        first["PartitionsWritten"]!.GetValue<double>().Should().Be(metrics.PartitionsWritten);
        first["Retries"]!.GetValue<double>().Should().Be(metrics.Retries);
        JsonNode.Parse(lines[1])!["Status"]!.GetValue<string>().Should().Be("failed");
        JsonNode.Parse(lines[1])!["RunsFailed"]!.GetValue<double>().Should().Be(1);
    }
}
