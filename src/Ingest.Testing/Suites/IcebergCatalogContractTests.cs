using FluentAssertions;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;
using Xunit;

namespace Ingest.Testing;

/// <summary>
/// The behaviour every <see cref="IIcebergCatalog"/> must show: where a table's current metadata file is recorded, moved
/// only by a compare-and-swap that two writers never both win (a run's commit point). Derive a class in a test project
/// and implement <see cref="CreateCatalogAsync"/>. Each test uses dataset ids of its own, so one store may be shared.
/// </summary>
public abstract class IcebergCatalogContractTests
{
    /// <summary>Returns the catalog under test.</summary>
    protected abstract Task<IIcebergCatalog> CreateCatalogAsync();

    /// <summary>Returns the address of a metadata file named <paramref name="name"/> (the catalog records it, and need not read it).</summary>
    /// <remarks>The default is an <c>s3://</c> address; override it when the backend records addresses of another form.</remarks>
    protected virtual string MetadataLocation(RegisteredDefinition definition, string name)
        => $"s3://contract-lake/curated/{definition.Dataset.Domain}/{definition.Dataset.Name}/metadata/{name}.metadata.json";

    /// <summary>An Iceberg table the catalog has never seen loads as <see langword="null"/>.</summary>
    [Fact]
    public async Task LoadAsync_UnknownTable_ReturnsNull()
    {
        var catalog = await CreateCatalogAsync();

        (await catalog.LoadAsync(Table())).Should().BeNull();
    }

    /// <summary>Expecting no table creates it once: the first create wins, a second create is refused and changes nothing.</summary>
    [Fact]
    public async Task TryCommitAsync_Create_RecordsTheLocation_AndASecondCreateIsRefused()
    {
        var catalog = await CreateCatalogAsync();
        var table = Table();
        var first = MetadataLocation(table, "00001-a");

        (await catalog.TryCommitAsync(table, null, first)).Should().BeTrue("the table did not exist");
        (await catalog.LoadAsync(table)).Should().Be(first);

        (await catalog.TryCommitAsync(table, null, MetadataLocation(table, "00001-b"))).Should().BeFalse("the table exists now");
        (await catalog.LoadAsync(table)).Should().Be(first, "a refused commit changes nothing");
    }

    /// <summary>A swap from the current location moves the pointer; a chain of swaps ends at the last location.</summary>
    [Fact]
    public async Task TryCommitAsync_FromTheCurrentLocation_MovesThePointer()
    {
        var catalog = await CreateCatalogAsync();
        var table = Table();
        string? current = null;
        for (var i = 1; i <= 4; i++)
        {
            var next = MetadataLocation(table, $"{i:00000}-swap");
            (await catalog.TryCommitAsync(table, current, next)).Should().BeTrue($"commit {i} expects the current location {current ?? "(none)"}");
            (await catalog.LoadAsync(table)).Should().Be(next);
            current = next;
        }
    }

    /// <summary>A swap that expects a location the table has left (a stale read) is refused, and the pointer stays.</summary>
    [Fact]
    public async Task TryCommitAsync_StaleExpectedLocation_IsRefused_AndNothingChanges()
    {
        var catalog = await CreateCatalogAsync();
        var table = Table();
        var m1 = MetadataLocation(table, "00001-m1");
        var m2 = MetadataLocation(table, "00002-m2");
        await catalog.TryCommitAsync(table, null, m1);
        (await catalog.TryCommitAsync(table, m1, m2)).Should().BeTrue();

        (await catalog.TryCommitAsync(table, m1, MetadataLocation(table, "00002-stale"))).Should().BeFalse("m1 is no longer current");
        (await catalog.TryCommitAsync(table, MetadataLocation(table, "00009-never"), MetadataLocation(table, "00003-other"))).Should().BeFalse("the table never pointed there");

        (await catalog.LoadAsync(table)).Should().Be(m2);
    }

    /// <summary>A swap that expects a location of a table that does not exist is refused and creates nothing.</summary>
    [Fact]
    public async Task TryCommitAsync_ExpectedLocationOfAMissingTable_IsRefused_AndCreatesNothing()
    {
        var catalog = await CreateCatalogAsync();
        var table = Table();

        (await catalog.TryCommitAsync(table, MetadataLocation(table, "00001-x"), MetadataLocation(table, "00002-y"))).Should().BeFalse();

        (await catalog.LoadAsync(table)).Should().BeNull();
    }

    /// <summary>
    /// Writers that all read the same location and swap at once: in every round exactly one wins, the others are refused,
    /// and the table points at the winner's location.
    /// </summary>
    [Fact]
    public async Task TryCommitAsync_ConcurrentSwapsFromTheSameLocation_ExactlyOneWins()
    {
        var catalog = await CreateCatalogAsync();
        var table = Table();
        var current = MetadataLocation(table, "00000-base");
        (await catalog.TryCommitAsync(table, null, current)).Should().BeTrue();

        for (var round = 1; round <= 4; round++)
        {
            var candidates = Enumerable.Range(0, 6).Select(i => MetadataLocation(table, $"{round:00000}-writer{i}")).ToList();
            using var start = new ManualResetEventSlim();
            var expected = current;
            var swaps = candidates.Select(c => Task.Run(async () =>
            {
                start.Wait();
                return await catalog.TryCommitAsync(table, expected, c);
            })).ToList();
            start.Set();

            var results = await Task.WhenAll(swaps);

            results.Count(r => r).Should().Be(1, $"round {round}: a compare-and-swap has one winner");
            var winner = candidates[Array.IndexOf(results, true)];
            (await catalog.LoadAsync(table)).Should().Be(winner, $"round {round}: the table points at the winner's metadata");
            current = winner;
        }
    }

    /// <summary>
    /// The pointer belongs to the catalog table, not to a definition version: every version of a dataset sees it, and another
    /// dataset's commits never move it.
    /// </summary>
    [Fact]
    public async Task TryCommitAsync_ThePointerIsTheTables_SharedByVersions_AndIndependentOfOtherTables()
    {
        var catalog = await CreateCatalogAsync();
        var v1 = Table();
        var v2 = v1 with { Version = 2, Fingerprint = "contract-v2" };
        var other = Table();
        var m1 = MetadataLocation(v1, "00001-v1");
        await catalog.TryCommitAsync(v1, null, m1);

        (await catalog.LoadAsync(v2)).Should().Be(m1, "version 2 of the dataset reads the same table");
        (await catalog.TryCommitAsync(other, null, MetadataLocation(other, "00001-other"))).Should().BeTrue("another table is created on its own");
        var m2 = MetadataLocation(v2, "00002-v2");
        (await catalog.TryCommitAsync(v2, m1, m2)).Should().BeTrue();

        (await catalog.LoadAsync(v1)).Should().Be(m2);
        (await catalog.LoadAsync(other)).Should().Be(MetadataLocation(other, "00001-other"));
    }

    /// <summary>A registered Iceberg definition of a fresh dataset, as a run hands it to the catalog.</summary>
    protected static RegisteredDefinition Table()
    {
        var definition = IngestTestData.Definition(IngestTestData.NewDatasetId("contract")) with { Table = new TableSettings { Format = TableFormat.Iceberg } };
        return new RegisteredDefinition(definition, 1, new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), "contract-v1");
    }
}
