using Ingest.Definitions;
using Ingest.Engine.Tables;
using Ingest.Engine.Writing;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Tables.Iceberg;
using Ingest.Testing;

namespace Ingest.Tests.Tables;

/// <summary>
/// Writers racing on one Iceberg table through one catalog: appends rebase on the snapshot that won and every one of them
/// lands; an overwrite planned on a snapshot another writer replaced fails with a concurrency error and changes nothing.
/// </summary>
public sealed class IcebergTableCommitTests
{
    private readonly InMemoryLakeStorage _lake = new(TimeProvider.System);
    private readonly InMemoryIcebergCatalog _catalog = new();
    private readonly RegisteredDefinition _registered = new(
        IngestTestData.Definition(IngestTestData.NewDatasetId("sales")) with { Table = new TableSettings { Format = TableFormat.Iceberg } },
        1,
        DateTimeOffset.UtcNow,
        "f");

    [Fact]
    public async Task CommitAsync_ConcurrentAppends_AllLand_NoSnapshotLost()
    {
        // Two tables over one catalog stand for two writers; each commits 8 appends while the other does.
        var writers = new[] { Table(), Table() };
        var commits = Enumerable.Range(0, 16).Select(i => Task.Run(() => writers[i % 2].CommitAsync(
            "append", [File(i)], [], new Dictionary<string, string> { [IcebergTable.RunIdProperty] = $"run-{i}" }, null, () => { }, CancellationToken.None)));
        var snapshotIds = await Task.WhenAll(commits);

        var (_, metadata) = await Table().LoadAsync(CancellationToken.None);
        metadata!.Snapshots.Select(s => s.SnapshotId).Should().BeEquivalentTo(snapshotIds, "every commit is a snapshot of the table's history");
        metadata.Snapshots.Select(s => s.SequenceNumber).Should().OnlyHaveUniqueItems().And.HaveCount(16);
        var live = await IcebergTable.LiveFilesAsync(Table().Files, metadata, null, CancellationToken.None);
        live.Select(f => f.FilePath).Should().HaveCount(16).And.OnlyHaveUniqueItems("no append lost another's files");
        live.Sum(f => f.RecordCount).Should().Be(16 * 10);
        _catalog.Commits.Should().Be(16);
    }

    [Fact]
    public async Task CommitAsync_OverwritePlannedOnAReplacedSnapshot_FailsWithAConcurrencyError_AndChangesNothing()
    {
        var table = Table();
        await table.CommitAsync("append", [File(0)], [], Summary("first"), null, () => { }, CancellationToken.None);
        var (_, planned) = await table.LoadAsync(CancellationToken.None);
        var plannedFiles = (await IcebergTable.LiveFilesAsync(table.Files, planned!, null, CancellationToken.None)).Select(f => f.FilePath).ToList();

        // Another writer appends after the overwrite was planned: the overwrite's view of the files is stale.
        await Table().CommitAsync("append", [File(1)], [], Summary("other"), null, () => { }, CancellationToken.None);
        var swaps = 0;
        var act = () => table.CommitAsync(
            "overwrite",
            [File(2)],
            [DatasetLayout.IcebergDataPrefix(_registered.Dataset) + "f0.parquet"],
            Summary("overwrite"),
            live => live.Select(f => f.FilePath).Order().SequenceEqual(plannedFiles.Order()),
            () => swaps++,
            CancellationToken.None);

        (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which.Message.Should().Contain(_registered.Dataset.ToString()).And.Contain("nothing of this run was published");
        swaps.Should().Be(0, "the stale plan is refused before any swap");
        var (_, after) = await Table().LoadAsync(CancellationToken.None);
        after!.Snapshots.Should().HaveCount(2, "nothing of the refused overwrite was committed");
        (await IcebergTable.LiveFilesAsync(table.Files, after, null, CancellationToken.None)).Select(f => Path.GetFileName(f.FilePath)).Should().BeEquivalentTo(["f0.parquet", "f1.parquet"]);
    }

    private IcebergTable Table() => new(_registered, _catalog, _lake, TimeProvider.System);

    private static Dictionary<string, string> Summary(string run) => new() { [IcebergTable.RunIdProperty] = run };

    private StagedFile File(int i)
    {
        var key = DatasetLayout.IcebergDataPrefix(_registered.Dataset) + $"f{i}.parquet";
        return new StagedFile(LakeZone.Curated, key, key, string.Empty, 10, 1000);
    }
}
