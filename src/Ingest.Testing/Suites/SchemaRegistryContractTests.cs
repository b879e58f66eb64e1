using FluentAssertions;
using Ingest.Definitions;
using Ingest.Registry;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Ingest.Testing;

/// <summary>
/// The behaviour every <see cref="ISchemaRegistry"/> must show. Derive a class in a test project and implement
/// <see cref="CreateRegistryAsync"/>. Each test uses dataset ids of its own, so one store may be shared between tests.
/// </summary>
public abstract class SchemaRegistryContractTests
{
    /// <summary>Returns the registry under test, using <paramref name="timeProvider"/> for <see cref="RegisteredDefinition.RegisteredAt"/>.</summary>
    protected abstract Task<ISchemaRegistry> CreateRegistryAsync(TimeProvider timeProvider);

    /// <summary>The first registration is version 1, stamped with the clock and the canonical fingerprint.</summary>
    [Fact]
    public async Task RegisterAsync_NewDataset_ReturnsVersion1()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero));
        var registry = await CreateRegistryAsync(clock);
        var definition = IngestTestData.Definition(IngestTestData.NewDatasetId());

        var registered = await registry.RegisterAsync(definition);

        registered.Version.Should().Be(1);
        registered.Dataset.Should().Be(definition.Id);
        registered.RegisteredAt.Should().Be(clock.GetUtcNow());
        registered.Fingerprint.Should().Be(DatasetDefinitionSerializer.Fingerprint(AsRegistered(definition)));
        var stored = await registry.GetAsync(definition.Id);
        stored.Should().NotBeNull();
        stored!.Version.Should().Be(1);
        stored.RegisteredAt.Should().Be(clock.GetUtcNow());
        DatasetDefinitionSerializer.Fingerprint(stored.Definition).Should().Be(registered.Fingerprint, "the stored definition must round-trip exactly");
    }

    /// <summary>Registering a definition identical to the latest returns the latest and stores nothing.</summary>
    [Fact]
    public async Task RegisterAsync_IdenticalDefinition_ReturnsSameVersion()
    {
        var clock = new FakeTimeProvider();
        var registry = await CreateRegistryAsync(clock);
        var id = IngestTestData.NewDatasetId();
        var first = await registry.RegisterAsync(IngestTestData.Definition(id));
        clock.Advance(TimeSpan.FromHours(1));

        var again = await registry.RegisterAsync(IngestTestData.Definition(id));

        again.Version.Should().Be(1);
        again.RegisteredAt.Should().Be(first.RegisteredAt);
        (await registry.ListVersionsAsync(id).ToListAsync()).Should().ContainSingle();
    }

    /// <summary>A compatible change (nullable column added, int32 widened to int64, decimal precision up) becomes version 2.</summary>
    [Fact]
    public async Task RegisterAsync_CompatibleChange_ReturnsNextVersion()
    {
        var clock = new FakeTimeProvider();
        var registry = await CreateRegistryAsync(clock);
        var id = IngestTestData.NewDatasetId();
        var v1 = IngestTestData.Definition(id);
        await registry.RegisterAsync(v1);
        clock.Advance(TimeSpan.FromMinutes(5));
        var v2 = v1 with
        {
            Columns =
            [
                IngestTestData.Column("id", ColumnType.Int64, nullable: false),
                IngestTestData.Column("customer", ColumnType.String),
                IngestTestData.Column("amount", ColumnType.Decimal(20, 2)),
                IngestTestData.Column("qty", ColumnType.Int64),
                IngestTestData.Column("note", ColumnType.String),
            ],
        };

        var registered = await registry.RegisterAsync(v2);

        registered.Version.Should().Be(2);
        registered.RegisteredAt.Should().Be(clock.GetUtcNow());
        (await registry.GetAsync(id))!.Version.Should().Be(2);
        (await registry.GetAsync(id))!.Fingerprint.Should().Be(DatasetDefinitionSerializer.Fingerprint(AsRegistered(v2)));
        (await registry.GetAsync(id, 1))!.Fingerprint.Should().Be(DatasetDefinitionSerializer.Fingerprint(AsRegistered(v1)));
    }

    /// <summary>An incompatible change is refused with every incompatibility listed, and nothing is stored.</summary>
    [Fact]
    public async Task RegisterAsync_IncompatibleChange_ThrowsListingEveryProblemAndStoresNothing()
    {
        var registry = await CreateRegistryAsync(new FakeTimeProvider());
        var id = IngestTestData.NewDatasetId();
        var v1 = IngestTestData.Definition(id);
        var first = await registry.RegisterAsync(v1);
        var broken = v1 with
        {
            Columns =
            [
                IngestTestData.Column("id", ColumnType.Int64, nullable: false),
                IngestTestData.Column("amount", ColumnType.Decimal(10, 2)),
                IngestTestData.Column("qty", ColumnType.Int32, nullable: false),
            ],
        };

        var act = () => registry.RegisterAsync(broken);

        var error = (await act.Should().ThrowAsync<SchemaCompatibilityException>()).Which;
        error.Dataset.Should().Be(id);
        error.DefinitionVersion.Should().Be(1);
        error.Incompatibilities.Should().HaveCount(3);
        error.Incompatibilities.Should().ContainSingle(p => p.Contains("'customer'", StringComparison.Ordinal) && p.Contains("removed", StringComparison.Ordinal));
        error.Incompatibilities.Should().ContainSingle(p => p.Contains("'amount'", StringComparison.Ordinal) && p.Contains("narrowed", StringComparison.Ordinal));
        error.Incompatibilities.Should().ContainSingle(p => p.Contains("'qty'", StringComparison.Ordinal) && p.Contains("required", StringComparison.Ordinal));
        (await registry.ListVersionsAsync(id).ToListAsync()).Should().ContainSingle();
        (await registry.GetAsync(id))!.Fingerprint.Should().Be(first.Fingerprint);
        (await registry.GetAsync(id, 2)).Should().BeNull();
    }

    /// <summary>An invalid definition is refused with <see cref="DefinitionException"/> and nothing is stored.</summary>
    [Fact]
    public async Task RegisterAsync_InvalidDefinition_ThrowsDefinitionException()
    {
        var registry = await CreateRegistryAsync(new FakeTimeProvider());
        var id = IngestTestData.NewDatasetId();
        var invalid = IngestTestData.Definition(id, IngestTestData.Column("Bad Name", ColumnType.String));

        await FluentActions.Awaiting(() => registry.RegisterAsync(invalid)).Should().ThrowAsync<DefinitionException>();

        (await registry.GetAsync(id)).Should().BeNull();
    }

    /// <summary>
    /// Two registrations that both read version N and both try to store N+1: exactly one wins, the other gets a
    /// <see cref="ConcurrencyConflictException"/> naming the dataset and the contested version. Repeated over several rounds.
    /// </summary>
    /// <remarks>
    /// The clock handed to the registry holds both callers at <see cref="TimeProvider.GetUtcNow"/> until both have arrived;
    /// <see cref="SchemaRegistryBase"/> reads the clock after reading the latest version and before the conditional write,
    /// so both callers are guaranteed to have read the same latest version.
    /// </remarks>
    [Fact]
    public async Task RegisterAsync_TwoConcurrentRegistrationsOfSameVersion_ExactlyOneWins()
    {
        var clock = new RendezvousTimeProvider();
        var registry = await CreateRegistryAsync(clock);
        var id = IngestTestData.NewDatasetId();
        var baseline = IngestTestData.Definition(id);
        await registry.RegisterAsync(baseline);

        for (var round = 0; round < 5; round++)
        {
            var contested = round + 2;
            var candidates = Enumerable.Range(0, 2)
                .Select(i => baseline with { Description = $"round {round} candidate {i}" })
                .ToArray();
            clock.Arm(candidates.Length);

            var outcomes = await Task.WhenAll(candidates.Select(d => Task.Run(() => CaptureAsync(() => registry.RegisterAsync(d)))));

            clock.Disarm();
            var winners = outcomes.Where(o => o.Result is not null).Select(o => o.Result!).ToList();
            var losers = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
            winners.Should().ContainSingle($"exactly one registration of version {contested} may win");
            winners[0].Version.Should().Be(contested);
            losers.Should().ContainSingle().Which.Should().BeOfType<ConcurrencyConflictException>()
                .Which.Should().Match<ConcurrencyConflictException>(e => e.Dataset == id && e.DefinitionVersion == contested && e.IsTransient);
            var stored = await registry.GetAsync(id, contested);
            stored!.Fingerprint.Should().Be(winners[0].Fingerprint, "the stored version is the winner's");
        }

        (await registry.ListVersionsAsync(id).ToListAsync()).Select(v => v.Version).Should().Equal(1, 2, 3, 4, 5, 6);
    }

    /// <summary>
    /// Many concurrent registrations of different compatible definitions: whatever the interleaving, each version
    /// has one winner, every loser gets <see cref="ConcurrencyConflictException"/>, and versions stay contiguous.
    /// </summary>
    [Fact]
    public async Task RegisterAsync_ManyConcurrentRegistrations_VersionsHaveOneWinnerEach()
    {
        var registry = await CreateRegistryAsync(TimeProvider.System);
        var id = IngestTestData.NewDatasetId();
        var baseline = IngestTestData.Definition(id);
        await registry.RegisterAsync(baseline);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => baseline with { Description = $"candidate {i}" })
            .Select(d => Task.Run(() => CaptureAsync(() => registry.RegisterAsync(d)))));

        outcomes.Select(o => o.Error).Where(e => e is not null and not ConcurrencyConflictException).Should().BeEmpty("losers may only see a concurrency conflict");
        var winners = outcomes.Where(o => o.Result is not null).Select(o => o.Result!).ToList();
        winners.Select(w => w.Version).Should().OnlyHaveUniqueItems();
        var versions = await registry.ListVersionsAsync(id).ToListAsync();
        versions.Select(v => v.Version).Should().Equal(Enumerable.Range(1, winners.Count + 1));
        foreach (var winner in winners)
        {
            versions.Single(v => v.Version == winner.Version).Fingerprint.Should().Be(winner.Fingerprint);
        }
    }

    /// <summary>Versions are immutable and listed oldest first; getting an old version returns it as registered.</summary>
    [Fact]
    public async Task ListVersionsAsync_ReturnsImmutableVersionsOldestFirst()
    {
        var clock = new FakeTimeProvider();
        var registry = await CreateRegistryAsync(clock);
        var id = IngestTestData.NewDatasetId();
        var v1 = IngestTestData.Definition(id);
        var v2 = v1 with { Description = "second" };
        var v3 = v2 with { Columns = [.. v2.Columns, IngestTestData.Column("extra", ColumnType.Date)] };
        var registered = new List<RegisteredDefinition>();
        foreach (var d in new[] { v1, v2, v3 })
        {
            registered.Add(await registry.RegisterAsync(d));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var versions = await registry.ListVersionsAsync(id).ToListAsync();

        versions.Select(v => v.Version).Should().Equal(1, 2, 3);
        versions.Select(v => v.Fingerprint).Should().Equal(registered.Select(r => r.Fingerprint));
        versions.Select(v => v.RegisteredAt).Should().Equal(registered.Select(r => r.RegisteredAt)).And.BeInAscendingOrder();
        versions[0].Definition.Should().BeEquivalentTo(AsRegistered(v1));
        versions[2].Definition.Columns.Should().HaveCount(5);
        (await registry.GetAsync(id, 1))!.Definition.Description.Should().BeNull();
        (await registry.GetAsync(id, 2))!.Definition.Description.Should().Be("second");
        (await registry.GetAsync(id))!.Version.Should().Be(3);
    }

    /// <summary>Unknown datasets and versions read as null; the required variant throws <see cref="DatasetNotFoundException"/>.</summary>
    [Fact]
    public async Task GetAsync_Unknown_ReturnsNull()
    {
        var registry = await CreateRegistryAsync(new FakeTimeProvider());
        var id = IngestTestData.NewDatasetId();
        await registry.RegisterAsync(IngestTestData.Definition(id));

        (await registry.GetAsync(IngestTestData.NewDatasetId())).Should().BeNull();
        (await registry.GetAsync(id, 2)).Should().BeNull();
        (await registry.GetAsync(id, 0)).Should().BeNull();
        (await registry.ListVersionsAsync(IngestTestData.NewDatasetId()).ToListAsync()).Should().BeEmpty();
        await FluentActions.Awaiting(() => registry.GetRequiredAsync(IngestTestData.NewDatasetId())).Should().ThrowAsync<DatasetNotFoundException>();
    }

    /// <summary>Listing returns the latest version of every dataset, ordered by id.</summary>
    [Fact]
    public async Task ListAsync_ReturnsLatestOfEachDatasetOrderedById()
    {
        var registry = await CreateRegistryAsync(new FakeTimeProvider());
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var b = DatasetId.Create("zz" + suffix, "bravo");
        var a = DatasetId.Create("zz" + suffix, "alpha");
        var c = DatasetId.Create("aa" + suffix, "zulu");
        await registry.RegisterAsync(IngestTestData.Definition(b));
        await registry.RegisterAsync(IngestTestData.Definition(a));
        await registry.RegisterAsync(IngestTestData.Definition(a) with { Description = "v2" });
        await registry.RegisterAsync(IngestTestData.Definition(c));

        var mine = (await registry.ListAsync().ToListAsync()).Where(r => r.Dataset == a || r.Dataset == b || r.Dataset == c).ToList();

        mine.Select(r => r.Dataset).Should().Equal(c, a, b);
        mine.Select(r => r.Version).Should().Equal(1, 2, 1);
    }

    private static async Task<(RegisteredDefinition? Result, Exception? Error)> CaptureAsync(Func<Task<RegisteredDefinition>> action)
    {
        try
        {
            return (await action(), null);
        }
        catch (IngestException ex)
        {
            return (null, ex);
        }
    }

    /// <summary>A clock that, when armed, holds the first N callers of <see cref="GetUtcNow"/> until all N have arrived.</summary>
    private sealed class RendezvousTimeProvider : TimeProvider
    {
        private readonly FakeTimeProvider _inner = new();
        private Barrier? _barrier;
        private int _remaining;

        public void Arm(int participants)
        {
            _barrier = new Barrier(participants);
            Volatile.Write(ref _remaining, participants);
        }

        public void Disarm()
        {
            var barrier = Interlocked.Exchange(ref _barrier, null);
            barrier?.Dispose();
        }

        public override DateTimeOffset GetUtcNow()
        {
            var barrier = Volatile.Read(ref _barrier);
            if (barrier is not null && Interlocked.Decrement(ref _remaining) >= 0)
            {
                barrier.SignalAndWait(TimeSpan.FromSeconds(30));
            }

            return _inner.GetUtcNow();
        }
    }

    /// <summary>A definition that does not name its table format is stored as Iceberg (a new dataset) or with its dataset's format.</summary>
    [Fact]
    public async Task RegisterAsync_TableFormatNotNamed_IsIcebergForANewDataset_AndKeptByTheNextVersion()
    {
        var registry = await CreateRegistryAsync(new FakeTimeProvider());
        var iceberg = IngestTestData.Definition(IngestTestData.NewDatasetId());
        (await registry.RegisterAsync(iceberg)).Definition.Table.Format.Should().Be(TableFormat.Iceberg);

        var id = IngestTestData.NewDatasetId();
        var hive = IngestTestData.Definition(id) with { Table = new TableSettings { Format = TableFormat.Hive } };
        await registry.RegisterAsync(hive);
        var v2 = IngestTestData.Definition(id, [.. hive.Columns, IngestTestData.Column("note", ColumnType.String)]);
        var registered = await registry.RegisterAsync(v2);
        registered.Version.Should().Be(2);
        registered.Definition.Table.Format.Should().Be(TableFormat.Hive, "a version that does not name the format keeps the dataset's");
        (await registry.GetAsync(id))!.Definition.TableFormat.Should().Be(TableFormat.Hive);

        var act = () => registry.RegisterAsync(v2 with { Table = new TableSettings { Format = TableFormat.Iceberg } });
        (await act.Should().ThrowAsync<SchemaCompatibilityException>()).Which.Message.Should().Contain("table.format changed from hive to iceberg");
    }

    /// <summary>The definition as registration stores it: the table format named (Iceberg when a new definition does not say).</summary>
    protected static DatasetDefinition AsRegistered(DatasetDefinition definition)
        => definition.Table.Format is null ? definition with { Table = new TableSettings { Format = TableFormat.Iceberg } } : definition;
}
