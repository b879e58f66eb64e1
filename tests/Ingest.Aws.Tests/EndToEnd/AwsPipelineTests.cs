using Amazon.S3.Model;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Aws.Tests.EndToEnd;

/// <summary>The engine over the AWS backends: CSV in, curated Parquet in S3 read back by DuckDB, quarantine, ledger, idempotency.</summary>
[Collection(AwsCollection.Name)]
public sealed class AwsPipelineTests(AwsServers servers) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ingest-aws-e2e-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task RunAsync_CsvIntoS3_CuratedParquetHasExactlyTheGoodRows_AndARerunIsANoOp()
    {
        var backends = AwsIngest.CreateBackends(servers.Options());
        var id = IngestTestData.NewDatasetId("sales");
        await backends.Registry.RegisterAsync(Orders.Definition(id));
        var csv = Path.Combine(_work, "orders.csv");
        var expected = Orders.WriteCsv(csv, 20_000, badEvery: 1000);
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(id).Build();

        var result = await pipeline.RunAsync([IngestInput.FromFile(csv)]);

        result.Run.Status.Should().Be(RunStatus.Succeeded);
        result.Run.RowsRead.Should().Be(20_000);
        result.Run.RowsWritten.Should().Be(expected.Count);
        result.Run.RowsRejected.Should().Be(expected.Bad);
        var curated = await Orders.ReadCuratedAsync(backends.Lake, id, Path.Combine(_work, "curated"));
        curated.Count.Should().Be(expected.Count);
        curated.DistinctIds.Should().Be(expected.Count);
        curated.Sum.Should().Be(expected.Sum);
        curated.Files.Should().Be(3, "January, February and March 2024");
        (await backends.Lake.ListAsync(LakeZone.Quarantine, DatasetLayout.DatasetPrefix(id)).CountAsync()).Should().Be(1);
        (await backends.Lake.ListAsync(LakeZone.Raw, DatasetLayout.DatasetPrefix(id)).SingleAsync()).Size.Should().Be(new FileInfo(csv).Length);
        foreach (var zone in LakeZone.All)
        {
            (await backends.Lake.ListAsync(zone, DatasetLayout.StagingDatasetPrefix(id)).CountAsync()).Should().Be(0, $"nothing stays staged in {zone}");
        }

        var again = await pipeline.RunAsync([IngestInput.FromFile(csv)]);

        again.Run.Status.Should().Be(RunStatus.Skipped);
        (await Orders.ReadCuratedAsync(backends.Lake, id, Path.Combine(_work, "again"))).Count.Should().Be(expected.Count);
        (await backends.Ledger.ListRunsAsync(id).Select(r => r.Status).ToListAsync()).Should().Equal(RunStatus.Skipped, RunStatus.Succeeded);
    }
}
