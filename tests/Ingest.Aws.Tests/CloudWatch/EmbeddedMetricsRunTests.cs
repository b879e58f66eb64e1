using System.Text.Json.Nodes;
using Ingest.Aws.CloudWatch;
using Ingest.Aws.Tests.EndToEnd;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Aws.Tests.CloudWatch;

/// <summary>
/// Real runs of the in-process engine over the AWS backends (s3rver, dynalite) emit one EMF line each, whose figures are the
/// ledger's record of the run, and whose bytes are the sizes of the objects the run published, listed back from S3.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class EmbeddedMetricsRunTests(AwsServers servers) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ingest-emf-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task RunAsync_WithTheObserver_EmitsOneEmfLineEqualToTheLedgerRecord()
    {
        var backends = AwsIngest.CreateBackends(servers.Options());
        var id = IngestTestData.NewDatasetId("sales");
        await backends.Registry.RegisterAsync(Orders.Definition(id));
        var csv = Path.Combine(_work, "orders.csv");
        Orders.WriteCsv(csv, 3_000, badEvery: 100);
        using var writer = new StringWriter();
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(id).AddRunObserver(EmbeddedMetrics.CreateObserver(writer)).Build();

        var result = await pipeline.RunAsync([IngestInput.FromFile(csv)]);

        var line = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle().Subject;
        EmfSpec.Check(line).Should().BeEmpty();
        var recorded = (await backends.Ledger.GetRunAsync(id, result.Run.RunId))!;
        var emf = JsonNode.Parse(line)!;
        emf["Dataset"]!.GetValue<string>().Should().Be(id.ToString());
        emf["RunId"]!.GetValue<string>().Should().Be(recorded.RunId);
        emf["Status"]!.GetValue<string>().Should().Be("succeeded");
        Metric(emf, "RowsRead").Should().Be(recorded.RowsRead).And.Be(3_000);
        Metric(emf, "RowsWritten").Should().Be(recorded.RowsWritten);
        Metric(emf, "RowsRejected").Should().Be(recorded.RowsRejected).And.Be(30);
        Metric(emf, "FilesWritten").Should().Be(recorded.FilesWritten.Count).And.BeGreaterThan(1);
        Metric(emf, "PartitionsWritten").Should().Be(recorded.PartitionsWritten.Count);
        Metric(emf, "DurationSeconds").Should().BeApproximately((recorded.EndedAt!.Value - recorded.StartedAt).TotalSeconds, 1e-9);
        Metric(emf, "Retries").Should().Be(recorded.Counters.GetValueOrDefault("aws.retries"));

        // The bytes: what the objects the run published weigh in S3, listed back independently of the engine's count.
        long published = 0;
        foreach (var file in recorded.FilesWritten)
        {
            var zone = LakeZone.All.Single(z => file.StartsWith(z.Name + "/", StringComparison.Ordinal));
            published += (await backends.Lake.GetAsync(zone, file[(zone.Name.Length + 1)..]))!.Size;
        }

        Metric(emf, "BytesWritten").Should().Be(published).And.BeGreaterThan(0);
        Metric(emf, "AverageFileSizeBytes").Should().Be((double)published / recorded.FilesWritten.Count);
    }

    [Fact]
    public async Task AddIngestAws_RegistersTheObserver_AndAFailedRunEmitsItsRecordToo()
    {
        using var writer = new StringWriter();
        var options = servers.Options();
        var services = new ServiceCollection();

        // The local servers have no Glue: the backends without the Glue catalog AddIngestAws registers (AddIngest keeps these).
        services.AddSingleton(sp => new IngestBackends
        {
            Lake = sp.GetRequiredService<ILakeStorage>(),
            Registry = sp.GetRequiredService<Ingest.Registry.ISchemaRegistry>(),
            Ledger = sp.GetRequiredService<IRunLedger>(),
        });
        services
            .AddIngest()
            .AddIngestAws(o =>
            {
                o.Region = options.Region;
                o.Credentials = options.Credentials;
                o.S3ServiceUrl = options.S3ServiceUrl;
                o.DynamoDbServiceUrl = options.DynamoDbServiceUrl;
                o.ForcePathStyle = true;
                o.EmulatorCompatibility = true;
                o.TableName = options.TableName;
                foreach (var (zone, bucket) in options.ZoneBuckets)
                {
                    o.ZoneBuckets[zone] = bucket;
                }
            })
            .AddIngestEmbeddedMetrics(o => o.Writer = writer);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var id = IngestTestData.NewDatasetId("sales");
        await provider.GetRequiredService<IngestBackends>().Registry.RegisterAsync(Orders.Definition(id));
        var csv = Path.Combine(_work, "mostly-bad.csv");
        Orders.WriteCsv(csv, 1_000, badEvery: 2);
        var pipeline = provider.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(id).Build();

        var act = () => pipeline.RunAsync([IngestInput.FromFile(csv)]);

        await act.Should().ThrowAsync<DataValidationException>();
        var line = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle("AddIngestAws and AddIngestEmbeddedMetrics register one observer").Subject;
        EmfSpec.Check(line).Should().BeEmpty();
        var failed = await provider.GetRequiredService<IngestBackends>().Ledger.ListRunsAsync(id).SingleAsync();
        failed.Status.Should().Be(RunStatus.Failed);
        var emf = JsonNode.Parse(line)!;
        emf["Status"]!.GetValue<string>().Should().Be("failed");
        emf["RunId"]!.GetValue<string>().Should().Be(failed.RunId);
        Metric(emf, "RowsRead").Should().Be(failed.RowsRead).And.Be(1_000);
        Metric(emf, "RowsRejected").Should().Be(failed.RowsRejected).And.Be(500);
        Metric(emf, "FilesWritten").Should().Be(0, "a failed run publishes nothing");
    }

    private static double Metric(JsonNode emf, string name) => emf[name]!.GetValue<double>();
}
