using System.Security.Cryptography;
using FluentAssertions;
using Ingest.Storage;
using Xunit;

namespace Ingest.Testing;

/// <summary>
/// The behaviour every <see cref="ILakeStorage"/> must show. Derive a class in a test project, implement
/// <see cref="CreateStorageAsync"/>, and xunit runs every case against your implementation. Each test works under
/// a key prefix of its own, so one storage may be shared between tests.
/// </summary>
public abstract class LakeStorageContractTests
{
    /// <summary>Gets the prefix that isolates the keys of one test.</summary>
    protected string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..16] + "/";

    /// <summary>Returns the storage under test.</summary>
    protected abstract Task<ILakeStorage> CreateStorageAsync();

    /// <summary>Invalid keys, each of which every operation must refuse.</summary>
    public static TheoryData<string> InvalidKeys => new() { "../x", "/abs", "a//b", "a/../b", "./a", "a\\b", "a/", string.Empty };

    /// <summary>Writing without completing leaves no object, before and after the writer is disposed.</summary>
    [Fact]
    public async Task OpenWriteAsync_NotCompleted_LeavesNoObject()
    {
        var lake = await CreateStorageAsync();
        var key = Prefix + "pending.bin";

        await using (var writer = await lake.OpenWriteAsync(LakeZone.Curated, key))
        {
            await writer.Stream.WriteAsync(RandomNumberGenerator.GetBytes(1000));
            await writer.Stream.FlushAsync();

            (await lake.GetAsync(LakeZone.Curated, key)).Should().BeNull("the write is not complete yet");
            (await lake.ListAsync(LakeZone.Curated, Prefix).ToListAsync()).Should().BeEmpty();
        }

        (await lake.GetAsync(LakeZone.Curated, key)).Should().BeNull("disposing without CompleteAsync aborts the write");
        (await lake.ListAsync(LakeZone.Curated, Prefix).ToListAsync()).Should().BeEmpty("no temporary or partial object may be listed");
        await FluentActions.Awaiting(() => lake.OpenReadAsync(LakeZone.Curated, key)).Should().ThrowAsync<LakeObjectNotFoundException>();
    }

    /// <summary>A completed object is readable, seekable and byte-for-byte what was written.</summary>
    [Fact]
    public async Task CompleteAsync_ObjectIsReadableWithExactBytes()
    {
        var lake = await CreateStorageAsync();
        var key = Prefix + "sales/orders/order_date=2024-01-01/part-00000.parquet";
        var bytes = RandomNumberGenerator.GetBytes(300_001);

        await WriteAsync(lake, LakeZone.Curated, key, bytes);

        var info = await lake.GetAsync(LakeZone.Curated, key);
        info.Should().NotBeNull();
        info!.Key.Should().Be(key);
        info.Zone.Should().Be(LakeZone.Curated);
        info.Size.Should().Be(bytes.Length);
        (await ReadAllAsync(lake, LakeZone.Curated, key)).Should().Equal(bytes);

        await using var stream = await lake.OpenReadAsync(LakeZone.Curated, key);
        stream.CanSeek.Should().BeTrue("readers such as Parquet need to seek to the footer");
        stream.Seek(-4, SeekOrigin.End);
        var tail = new byte[4];
        await stream.ReadExactlyAsync(tail);
        tail.Should().Equal(bytes[^4..]);
    }

    /// <summary>Completing a write to an existing key replaces the object.</summary>
    [Fact]
    public async Task CompleteAsync_ExistingKey_ReplacesObject()
    {
        var lake = await CreateStorageAsync();
        var key = Prefix + "file.txt";
        await WriteAsync(lake, LakeZone.Raw, key, [1, 2, 3]);
        await WriteAsync(lake, LakeZone.Raw, key, [9, 8]);

        (await ReadAllAsync(lake, LakeZone.Raw, key)).Should().Equal(9, 8);
        (await lake.ListAsync(LakeZone.Raw, Prefix).ToListAsync()).Should().ContainSingle();
    }

    /// <summary>An empty object can be written and read.</summary>
    [Fact]
    public async Task CompleteAsync_EmptyObject_Exists()
    {
        var lake = await CreateStorageAsync();
        var key = Prefix + "empty";
        await WriteAsync(lake, LakeZone.Raw, key, []);

        (await lake.GetAsync(LakeZone.Raw, key))!.Size.Should().Be(0);
        (await ReadAllAsync(lake, LakeZone.Raw, key)).Should().BeEmpty();
    }

    /// <summary>Zones are separate namespaces.</summary>
    [Fact]
    public async Task Zones_AreIsolated()
    {
        var lake = await CreateStorageAsync();
        var key = Prefix + "x.bin";
        await WriteAsync(lake, LakeZone.Raw, key, [1]);

        (await lake.GetAsync(LakeZone.Curated, key)).Should().BeNull();
        (await lake.ListAsync(LakeZone.Quarantine, Prefix).ToListAsync()).Should().BeEmpty();
        (await lake.ListAsync(LakeZone.Raw, Prefix).ToListAsync()).Select(o => o.Key).Should().Equal(key);
    }

    /// <summary>Listing returns exactly the keys that start with the prefix (also mid-segment), in ordinal order.</summary>
    [Fact]
    public async Task ListAsync_ByPrefix_ReturnsMatchingKeysInOrdinalOrder()
    {
        var lake = await CreateStorageAsync();
        string[] keys = ["p/b.txt", "p/a/z", "p/a.txt", "p/B", "p/a/b/c", "p/a-1", "pq/x", "other/x", "p_/y"];
        foreach (var key in keys)
        {
            await WriteAsync(lake, LakeZone.Curated, Prefix + key, [(byte)key.Length]);
        }

        var all = await lake.ListAsync(LakeZone.Curated, Prefix + "p/").ToListAsync();
        all.Select(o => o.Key[Prefix.Length..]).Should().Equal("p/B", "p/a-1", "p/a.txt", "p/a/b/c", "p/a/z", "p/b.txt");
        all.Should().OnlyContain(o => o.Zone == LakeZone.Curated && o.Size == 1);

        var partial = await lake.ListAsync(LakeZone.Curated, Prefix + "p/a").ToListAsync();
        partial.Select(o => o.Key[Prefix.Length..]).Should().Equal("p/a-1", "p/a.txt", "p/a/b/c", "p/a/z");

        var whole = await lake.ListAsync(LakeZone.Curated, Prefix).ToListAsync();
        whole.Select(o => o.Key).Should().BeInAscendingOrder(StringComparer.Ordinal).And.HaveCount(keys.Length);

        (await lake.ListAsync(LakeZone.Curated, Prefix + "nothing/").ToListAsync()).Should().BeEmpty();
    }

    /// <summary>Deleting removes the object; deleting a missing object succeeds.</summary>
    [Fact]
    public async Task DeleteAsync_RemovesObject_AndIsIdempotent()
    {
        var lake = await CreateStorageAsync();
        var key = Prefix + "a/b.bin";
        var sibling = Prefix + "a/c.bin";
        await WriteAsync(lake, LakeZone.Raw, key, [1, 2]);
        await WriteAsync(lake, LakeZone.Raw, sibling, [3]);

        await lake.DeleteAsync(LakeZone.Raw, key);
        await lake.DeleteAsync(LakeZone.Raw, key);
        await lake.DeleteAsync(LakeZone.Raw, Prefix + "never/written");

        (await lake.GetAsync(LakeZone.Raw, key)).Should().BeNull();
        (await lake.ListAsync(LakeZone.Raw, Prefix).ToListAsync()).Select(o => o.Key).Should().Equal(sibling);
    }

    /// <summary>Promoting moves the object: the destination has the bytes, the source is gone.</summary>
    [Fact]
    public async Task PromoteAsync_MovesObject()
    {
        var lake = await CreateStorageAsync();
        var source = Prefix + "_staging/run1/part-0.parquet";
        var destination = Prefix + "sales/orders/day=2024-01-01/part-0.parquet";
        var bytes = RandomNumberGenerator.GetBytes(5000);
        await WriteAsync(lake, LakeZone.Curated, source, bytes);

        await lake.PromoteAsync(LakeZone.Curated, source, destination);

        (await lake.GetAsync(LakeZone.Curated, source)).Should().BeNull();
        (await ReadAllAsync(lake, LakeZone.Curated, destination)).Should().Equal(bytes);
        (await lake.ListAsync(LakeZone.Curated, Prefix).ToListAsync()).Select(o => o.Key).Should().Equal(destination);
    }

    /// <summary>Promoting again after the move succeeds (roll-forward) and keeps the destination.</summary>
    [Fact]
    public async Task PromoteAsync_SourceGoneAndDestinationExists_Succeeds()
    {
        var lake = await CreateStorageAsync();
        var source = Prefix + "_staging/s.bin";
        var destination = Prefix + "d.bin";
        await WriteAsync(lake, LakeZone.Curated, source, [7, 7]);
        await lake.PromoteAsync(LakeZone.Curated, source, destination);

        await lake.PromoteAsync(LakeZone.Curated, source, destination);

        (await ReadAllAsync(lake, LakeZone.Curated, destination)).Should().Equal(7, 7);
    }

    /// <summary>When both exist (a retry after a copy that was not followed by the delete) the source wins and is removed.</summary>
    [Fact]
    public async Task PromoteAsync_BothExist_ReplacesDestinationAndRemovesSource()
    {
        var lake = await CreateStorageAsync();
        var source = Prefix + "_staging/s.bin";
        var destination = Prefix + "d.bin";
        await WriteAsync(lake, LakeZone.Curated, destination, [1]);
        await WriteAsync(lake, LakeZone.Curated, source, [2, 2]);

        await lake.PromoteAsync(LakeZone.Curated, source, destination);

        (await ReadAllAsync(lake, LakeZone.Curated, destination)).Should().Equal(2, 2);
        (await lake.GetAsync(LakeZone.Curated, source)).Should().BeNull();
    }

    /// <summary>Promoting when neither the source nor the destination exists is an error.</summary>
    [Fact]
    public async Task PromoteAsync_NeitherExists_ThrowsNotFound()
    {
        var lake = await CreateStorageAsync();
        var act = () => lake.PromoteAsync(LakeZone.Curated, Prefix + "missing", Prefix + "also-missing");

        (await act.Should().ThrowAsync<LakeObjectNotFoundException>()).Which.Key.Should().Be(Prefix + "missing");
    }

    /// <summary>Every operation refuses an invalid key with <see cref="ArgumentException"/>.</summary>
    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Operations_InvalidKey_ThrowArgumentException(string key)
    {
        var lake = await CreateStorageAsync();
        var valid = Prefix + "ok.bin";
        await WriteAsync(lake, LakeZone.Raw, valid, [1]);

        await FluentActions.Awaiting(() => lake.OpenWriteAsync(LakeZone.Raw, key)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => lake.OpenReadAsync(LakeZone.Raw, key)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => lake.GetAsync(LakeZone.Raw, key)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => lake.DeleteAsync(LakeZone.Raw, key)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => lake.PromoteAsync(LakeZone.Raw, valid, key)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => lake.PromoteAsync(LakeZone.Raw, key, Prefix + "dest.bin")).Should().ThrowAsync<ArgumentException>();

        (await ReadAllAsync(lake, LakeZone.Raw, valid)).Should().Equal([1], "a refused promote must not move the source");
    }

    /// <summary>Listing refuses a prefix that escapes the zone.</summary>
    [Theory]
    [InlineData("../")]
    [InlineData("/abs/")]
    [InlineData("a//")]
    public async Task ListAsync_InvalidPrefix_ThrowsArgumentException(string prefix)
    {
        var lake = await CreateStorageAsync();

        await FluentActions.Awaiting(async () => await lake.ListAsync(LakeZone.Raw, prefix).ToListAsync()).Should().ThrowAsync<ArgumentException>();
    }

    /// <summary>Addresses identify objects: different keys, different addresses, each naming the key.</summary>
    [Fact]
    public async Task GetAddress_DifferentKeys_DifferentAddresses()
    {
        var lake = await CreateStorageAsync();

        var a = lake.GetAddress(LakeZone.Curated, Prefix + "a/x.parquet");
        var b = lake.GetAddress(LakeZone.Curated, Prefix + "b/x.parquet");
        var raw = lake.GetAddress(LakeZone.Raw, Prefix + "a/x.parquet");

        a.Should().NotBe(b).And.NotBe(raw).And.EndWith("a/x.parquet");
    }

    /// <summary>Writes an object and completes it.</summary>
    protected static async Task WriteAsync(ILakeStorage lake, LakeZone zone, string key, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(lake);
        await using var writer = await lake.OpenWriteAsync(zone, key);
        await writer.Stream.WriteAsync(bytes);
        await writer.CompleteAsync();
    }

    /// <summary>Reads a whole object.</summary>
    protected static async Task<byte[]> ReadAllAsync(ILakeStorage lake, LakeZone zone, string key)
    {
        ArgumentNullException.ThrowIfNull(lake);
        await using var stream = await lake.OpenReadAsync(zone, key);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
