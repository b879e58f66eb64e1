using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Local.Tests;

/// <summary>Two backend instances on one file behave as two processes would: SQLite's write lock decides, never both.</summary>
public sealed class SqliteConcurrencyTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task TryAcquireLeaseAsync_TwoLedgersOnOneFile_ExactlyOneAcquires()
    {
        var clock = new FakeTimeProvider();
        var a = LocalIngest.CreateBackends(_root.Options, clock).Ledger;
        var b = LocalIngest.CreateBackends(_root.Options, clock).Ledger;
        var dataset = IngestTestData.NewDatasetId();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => (i % 2 == 0 ? a : b).TryAcquireLeaseAsync(dataset, new LeaseOwner($"run-{i:D2}", "host", i), TimeSpan.FromMinutes(1)))));

        results.Count(r => r.Acquired).Should().Be(1);
        var holder = results.Single(r => r.Acquired).Current.Owner;
        results.Where(r => !r.Acquired).Should().OnlyContain(r => r.Current.Owner == holder);
        (await b.TryAcquireLeaseAsync(dataset, new LeaseOwner("late", "host", 1), TimeSpan.FromMinutes(1))).Current.Owner.Should().Be(holder);
    }

    [Fact]
    public async Task RegisterAsync_TwoRegistriesOnOneFile_BothReadV1_OnlyOneStoresV2()
    {
        var clock = new RendezvousClock();
        var a = LocalIngest.CreateBackends(_root.Options, clock).Registry;
        var b = LocalIngest.CreateBackends(_root.Options, clock).Registry;
        var id = IngestTestData.NewDatasetId();
        var v1 = IngestTestData.Definition(id);
        await a.RegisterAsync(v1);
        clock.Arm(2);

        var outcomes = await Task.WhenAll(
            Task.Run(() => Capture(a.RegisterAsync(v1 with { Description = "from a" }))),
            Task.Run(() => Capture(b.RegisterAsync(v1 with { Description = "from b" }))));

        outcomes.Count(o => o.Result is not null).Should().Be(1);
        var conflict = outcomes.Single(o => o.Error is not null).Error.Should().BeOfType<ConcurrencyConflictException>().Subject;
        conflict.Dataset.Should().Be(id);
        conflict.DefinitionVersion.Should().Be(2);
        (await b.ListVersionsAsync(id).ToListAsync()).Select(v => v.Version).Should().Equal(1, 2);
        (await a.GetAsync(id))!.Fingerprint.Should().Be(outcomes.Single(o => o.Result is not null).Result!.Fingerprint);
    }

    [Fact]
    public async Task Database_IsOneItemsTableInWalMode_WithSingleTableKeys()
    {
        var clock = new FakeTimeProvider();
        var backends = LocalIngest.CreateBackends(_root.Options, clock);
        var id = DatasetId.Parse("sales.orders");
        await backends.Registry.RegisterAsync(IngestTestData.Definition(id));
        await backends.Ledger.TryAcquireLeaseAsync(id, new LeaseOwner("r1", "h", 1), TimeSpan.FromMinutes(1));
        var run = new RunRecord { RunId = "r1", Dataset = id, DefinitionVersion = 1, Status = RunStatus.Running, StartedAt = clock.GetUtcNow() };
        await backends.Ledger.StartRunAsync(run);
        await backends.Ledger.CompleteRunAsync(run with
        {
            Status = RunStatus.Succeeded,
            Sources = [new SourceFingerprint("abc", "a.csv", 1, "k", "r1"), new SourceFingerprint("def", "b.csv", 1, "k2", "r0", Skipped: true)],
        });

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_root.Path, "ingest.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var keys = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT pk || ' ' || sk FROM items ORDER BY pk, sk";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        keys.Should().Equal("DATASET#sales.orders DEF#000001", "DATASET#sales.orders DEF#LATEST", "DATASET#sales.orders LEASE", "DATASET#sales.orders RUN#r1", "DATASET#sales.orders SOURCE#abc");
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode";
        ((string)(await pragma.ExecuteScalarAsync())!).Should().Be("wal");
    }

    [Fact]
    public async Task Queries_BindValues_SoHostileRunIdsAreStoredVerbatim()
    {
        var ledger = LocalIngest.CreateBackends(_root.Options).Ledger;
        var id = IngestTestData.NewDatasetId();
        var runId = "x'); DROP TABLE items; --";
        await ledger.StartRunAsync(new RunRecord { RunId = runId, Dataset = id, DefinitionVersion = 1, Status = RunStatus.Running, StartedAt = DateTimeOffset.UnixEpoch });

        (await ledger.GetRunAsync(id, runId))!.RunId.Should().Be(runId);
        (await ledger.ListRunsAsync(id).ToListAsync()).Should().ContainSingle();
    }

    private static async Task<(RegisteredDefinition? Result, Exception? Error)> Capture(Task<RegisteredDefinition> task)
    {
        try
        {
            return (await task, null);
        }
        catch (IngestException ex)
        {
            return (null, ex);
        }
    }

    /// <summary>Holds the first N callers of GetUtcNow until all have arrived (the registry reads the clock between its read and its conditional write).</summary>
    private sealed class RendezvousClock : TimeProvider
    {
        private Barrier? _barrier;
        private int _remaining;

        public void Arm(int participants)
        {
            _barrier = new Barrier(participants);
            _remaining = participants;
        }

        public override DateTimeOffset GetUtcNow()
        {
            if (_barrier is { } barrier && Interlocked.Decrement(ref _remaining) >= 0)
            {
                barrier.SignalAndWait(TimeSpan.FromSeconds(30));
            }

            return new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }
    }
}
