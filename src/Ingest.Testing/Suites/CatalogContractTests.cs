using FluentAssertions;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;
using Xunit;

namespace Ingest.Testing;

/// <summary>What a catalog holds for one dataset's table, as <see cref="CatalogContractTests.DescribeTableAsync"/> reads it back.</summary>
/// <param name="Columns">The table's column names as the catalog holds them (data columns, lineage columns, partition columns), in any order.</param>
/// <param name="Partitions">
/// The registered partitions as <c>name=value</c> paths (<c>customer=a</c>, <c>year=2024/month=05</c>), or <see langword="null"/>
/// for a catalog that registers none (its readers find partitions in the folders).
/// </param>
public sealed record CatalogTableState(IReadOnlyCollection<string> Columns, IReadOnlyCollection<string>? Partitions);

/// <summary>
/// The behaviour every <see cref="ICatalog"/> must show for the Hive tables it keeps (Iceberg tables are kept by
/// <see cref="IIcebergCatalog"/>, see <see cref="IcebergCatalogContractTests"/>): a table created from a definition with
/// its columns, updated by a later version, partitions registered with existing ones counting as success. Derive a class
/// in a test project, implement <see cref="CreateCatalogAsync"/> and <see cref="DescribeTableAsync"/> (read the backend's
/// own state: the Glue table, the DuckDB view). Each test uses dataset ids of its own.
/// </summary>
public abstract class CatalogContractTests
{
    /// <summary>Returns the catalog under test.</summary>
    protected abstract Task<ICatalog> CreateCatalogAsync();

    /// <summary>Reads back what the catalog holds for the definition's table, or <see langword="null"/> when it has no table.</summary>
    protected abstract Task<CatalogTableState?> DescribeTableAsync(ICatalog catalog, RegisteredDefinition definition);

    /// <summary>A new dataset gets a table holding every column of its definition.</summary>
    [Fact]
    public async Task EnsureTableAsync_NewDataset_CreatesATableWithEveryColumn()
    {
        var catalog = await CreateCatalogAsync();
        var table = Hive(IngestTestData.NewDatasetId("contract"));
        (await DescribeTableAsync(catalog, table)).Should().BeNull("the table does not exist yet");

        await catalog.EnsureTableAsync(table);

        var state = await DescribeTableAsync(catalog, table);
        state.Should().NotBeNull();
        state!.Columns.Should().Contain(table.Definition.Columns.Select(c => c.Name));
    }

    /// <summary>Ensuring the same version again succeeds and leaves the table as it was.</summary>
    [Fact]
    public async Task EnsureTableAsync_SameVersionTwice_IsIdempotent()
    {
        var catalog = await CreateCatalogAsync();
        var table = Hive(IngestTestData.NewDatasetId("contract"));
        await catalog.EnsureTableAsync(table);
        var before = await DescribeTableAsync(catalog, table);

        await catalog.EnsureTableAsync(table);

        (await DescribeTableAsync(catalog, table))!.Columns.Should().BeEquivalentTo(before!.Columns);
    }

    /// <summary>A later version that adds a column updates the table: the new column is there, the old ones stay.</summary>
    [Fact]
    public async Task EnsureTableAsync_NextVersionAddsAColumn_TheTableHasIt()
    {
        var catalog = await CreateCatalogAsync();
        var v1 = Hive(IngestTestData.NewDatasetId("contract"));
        await catalog.EnsureTableAsync(v1);
        var v2 = Next(v1, IngestTestData.Column("contract_note", ColumnType.String));

        await catalog.EnsureTableAsync(v2);

        var state = await DescribeTableAsync(catalog, v2);
        state!.Columns.Should().Contain("contract_note").And.Contain(v1.Definition.Columns.Select(c => c.Name));
    }

    /// <summary>
    /// A run of an older version that ensures its table after a newer version was ensured (a run that started before the
    /// registration) must not take the newer version's columns away.
    /// </summary>
    [Fact]
    public async Task EnsureTableAsync_OlderVersionAfterANewerOne_KeepsTheNewerColumns()
    {
        var catalog = await CreateCatalogAsync();
        var v1 = Hive(IngestTestData.NewDatasetId("contract"));
        var v2 = Next(v1, IngestTestData.Column("contract_note", ColumnType.String));
        await catalog.EnsureTableAsync(v2);

        await catalog.EnsureTableAsync(v1);

        (await DescribeTableAsync(catalog, v2))!.Columns.Should().Contain("contract_note", "a table never goes back to an older definition version");
    }

    /// <summary>Partitions a run wrote are registered; adding existing ones again counts as success, and the set is their union.</summary>
    [Fact]
    public async Task AddPartitionsAsync_RegistersThem_AndExistingOnesCountAsSuccess()
    {
        var catalog = await CreateCatalogAsync();
        var table = Hive(IngestTestData.NewDatasetId("contract"), partitioned: true);
        await catalog.EnsureTableAsync(table);

        await catalog.AddPartitionsAsync(table, ["customer=alpha/", "customer=bravo/"]);
        await catalog.AddPartitionsAsync(table, ["customer=bravo/", "customer=charlie/"]);
        await catalog.AddPartitionsAsync(table, []);

        var state = await DescribeTableAsync(catalog, table);
        state!.Columns.Should().Contain("customer", "the partition column is a column of the table");
        if (state.Partitions is { } partitions)
        {
            partitions.Select(p => p.Trim('/')).Should().BeEquivalentTo(["customer=alpha", "customer=bravo", "customer=charlie"]);
        }
    }

    /// <summary>A cancelled token makes the call throw <see cref="OperationCanceledException"/>, and no table is created.</summary>
    [Fact]
    public async Task EnsureTableAsync_CancelledToken_Throws_AndCreatesNothing()
    {
        var catalog = await CreateCatalogAsync();
        var table = Hive(IngestTestData.NewDatasetId("contract"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => catalog.EnsureTableAsync(table, cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await DescribeTableAsync(catalog, table)).Should().BeNull();
    }

    /// <summary>A registered Hive definition of <paramref name="id"/> (partitioned by <c>customer</c> when asked), version 1.</summary>
    protected static RegisteredDefinition Hive(DatasetId id, bool partitioned = false)
    {
        var definition = IngestTestData.Definition(id) with
        {
            Table = new TableSettings { Format = TableFormat.Hive },
            Partitioning = partitioned ? [new PartitionField { Column = "customer" }] : [],
        };
        return new RegisteredDefinition(definition, 1, new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), DatasetDefinitionSerializer.Fingerprint(definition));
    }

    private static RegisteredDefinition Next(RegisteredDefinition previous, ColumnDefinition added)
    {
        var definition = previous.Definition with { Columns = [.. previous.Definition.Columns, added] };
        return new RegisteredDefinition(definition, previous.Version + 1, previous.RegisteredAt.AddMinutes(1), DatasetDefinitionSerializer.Fingerprint(definition));
    }
}
