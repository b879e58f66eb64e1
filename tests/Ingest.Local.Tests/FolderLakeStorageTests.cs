using Ingest.Storage;

namespace Ingest.Local.Tests;

public sealed class FolderLakeStorageTests : IDisposable
{
    private readonly TempRoot _root = new();
    private readonly ILakeStorage _lake;

    public FolderLakeStorageTests() => _lake = LocalIngest.CreateBackends(_root.Options).Lake;

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task OpenWriteAsync_WritesToTempFileNextToTarget_AndRenamesOnComplete()
    {
        var folder = Path.Combine(_root.Path, "lake", "curated", "sales", "orders");
        await using var writer = await _lake.OpenWriteAsync(LakeZone.Curated, "sales/orders/part-0.parquet");
        await writer.Stream.WriteAsync(new byte[] { 1, 2, 3 });

        var temp = Directory.GetFiles(folder).Should().ContainSingle().Subject;
        Path.GetFileName(temp).Should().MatchRegex(@"^part-0\.parquet\.ingest-tmp-[0-9a-f]{32}$");
        (await _lake.ListAsync(LakeZone.Curated, "").ToListAsync()).Should().BeEmpty();

        await writer.CompleteAsync();

        Directory.GetFiles(folder).Select(Path.GetFileName).Should().Equal("part-0.parquet");
        File.ReadAllBytes(Path.Combine(folder, "part-0.parquet")).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_DeletesTempFile()
    {
        await using (var writer = await _lake.OpenWriteAsync(LakeZone.Raw, "a/b.csv"))
        {
            await writer.Stream.WriteAsync(new byte[] { 1 });
        }

        Directory.GetFiles(Path.Combine(_root.Path, "lake", "raw"), "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task GetAddress_IsAbsolutePathUnderZoneFolder()
    {
        var address = _lake.GetAddress(LakeZone.Curated, "sales/orders/x.parquet");

        Path.IsPathRooted(address).Should().BeTrue();
        address.Should().Be(Path.Combine(Path.GetFullPath(_root.Path), "lake", "curated", "sales", "orders", "x.parquet"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task InvalidZone_IsRefused()
    {
        await FluentActions.Awaiting(() => _lake.GetAsync(new LakeZone(".."), "x")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _lake.OpenWriteAsync(new LakeZone("a/b"), "x")).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task ListAsync_SkipsOnlyTempFiles()
    {
        var folder = Path.Combine(_root.Path, "lake", "raw", "p");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "x.ingest-tmp-" + Guid.NewGuid().ToString("N")), "partial");
        File.WriteAllText(Path.Combine(folder, "y.ingest-tmp-notaguid"), "a real object");

        var keys = (await _lake.ListAsync(LakeZone.Raw, "p/").ToListAsync()).Select(o => o.Key);

        keys.Should().Equal("p/y.ingest-tmp-notaguid");
    }
}
