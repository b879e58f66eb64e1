using Amazon.S3.Model;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Aws.Tests.EndToEnd;

/// <summary>
/// The S3 server dies in the middle of a run (killed while a multipart upload is open) and comes back on the same folder
/// and port: the run fails and publishes nothing, and the re-run ends with exactly the expected rows and no incomplete
/// multipart upload anywhere.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class S3KillTests(AwsServers servers) : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("ingest-aws-kill-").FullName;
    private ServerProcess? _s3;

    private string S3Folder => Path.Combine(_work, "s3");

    public async Task InitializeAsync()
    {
        servers.EnsureRunning();
        _s3 = await AwsServers.StartS3Async(S3Folder);
        await AwsIngest.EnsureResourcesAsync(servers.Options(_s3.Url));
    }

    public async Task DisposeAsync()
    {
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }

        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task RunAsync_S3KilledMidRunAndRestarted_RerunHasExactRows_AndNoIncompleteUploadRemains()
    {
        var backends = AwsIngest.CreateBackends(servers.Options(_s3!.Url));
        var id = IngestTestData.NewDatasetId("sales");
        await backends.Registry.RegisterAsync(Orders.Definition(id));
        var csv = Path.Combine(_work, "orders.csv");
        var expected = Orders.WriteCsv(csv, 700_000);
        new FileInfo(csv).Length.Should().BeGreaterThan(3 * AwsIngestOptions.MinPartSizeBytes, "the raw copy must be a multipart upload");
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(id).Build();

        var run = Task.Run(() => pipeline.RunAsync([IngestInput.FromFile(csv)]));
        var uploads = Path.Combine(S3Folder, AwsServers.RawBucket, "._S3rver_uploads");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!(Directory.Exists(uploads) && Directory.EnumerateDirectories(uploads).Any()) && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        run.IsCompleted.Should().BeFalse("the server must die while the run is still writing");
        await _s3.KillAsync();
        await FluentActions.Awaiting(() => run).Should().ThrowAsync<Exception>("the run cannot go on without S3");

        await _s3.StartAsync();
        (await UploadsAsync(backends)).Should().NotBeEmpty("the killed server kept the open upload, which nobody could abort while it was down");
        (await Orders.ReadCuratedAsync(backends.Lake, id, Path.Combine(_work, "after-kill"))).Count.Should().Be(0, "the failed run published nothing");

        var rerun = await pipeline.RunAsync([IngestInput.FromFile(csv)]);

        rerun.Run.Status.Should().Be(RunStatus.Succeeded);
        rerun.Run.RowsWritten.Should().Be(expected.Count);
        var curated = await Orders.ReadCuratedAsync(backends.Lake, id, Path.Combine(_work, "after-rerun"));
        curated.Count.Should().Be(expected.Count);
        curated.DistinctIds.Should().Be(expected.Count);
        curated.Sum.Should().Be(expected.Sum);
        (await UploadsAsync(backends)).Should().BeEmpty("no orphaned multipart upload may remain");
        foreach (var zone in LakeZone.All)
        {
            (await backends.Lake.ListAsync(zone, DatasetLayout.StagingDatasetPrefix(id)).CountAsync()).Should().Be(0, $"nothing stays staged in {zone}");
        }

        (await backends.Ledger.ListRunsAsync(id).Select(r => r.Status).ToListAsync()).Should().Equal(RunStatus.Succeeded, RunStatus.Failed);
    }

    private async Task<List<string>> UploadsAsync(IngestBackends backends)
    {
        _ = backends;
        using var s3 = AwsIngest.CreateClients(servers.Options(_s3!.Url)).S3;
        var keys = new List<string>();
        foreach (var bucket in new[] { AwsServers.RawBucket, AwsServers.CuratedBucket, AwsServers.QuarantineBucket })
        {
            var page = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
            keys.AddRange((page.MultipartUploads ?? []).Select(u => $"{bucket}/{u.Key}"));
        }

        return keys;
    }
}
