using System.Globalization;
using FluentAssertions;
using Ingest.Definitions;
using Ingest.Ledger;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Ingest.Testing;

/// <summary>
/// The behaviour every <see cref="IRunLedger"/> must show. Derive a class in a test project and implement
/// <see cref="CreateLedgerAsync"/>; lease expiry must be judged by the <see cref="TimeProvider"/> given.
/// Each test uses dataset ids of its own, so one store may be shared between tests.
/// </summary>
public abstract class RunLedgerContractTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>Gets the fake clock handed to the ledger (whole seconds, UTC).</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero));

    /// <summary>Returns the ledger under test, judging lease expiry by <paramref name="timeProvider"/>.</summary>
    protected abstract Task<IRunLedger> CreateLedgerAsync(TimeProvider timeProvider);

    /// <summary>A free lease is taken for the requested duration.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_Free_Acquires()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var owner = Owner("run-a");

        var result = await ledger.TryAcquireLeaseAsync(dataset, owner, LeaseDuration);

        result.Acquired.Should().BeTrue();
        result.Current.Dataset.Should().Be(dataset);
        result.Current.Owner.Should().Be(owner);
        result.Current.ExpiresAt.Should().Be(Clock.GetUtcNow() + LeaseDuration);
    }

    /// <summary>A held lease is exclusive: a second acquirer is refused and told who holds it until when.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_Held_SecondAcquirerSeesHolder()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var first = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration);
        Clock.Advance(TimeSpan.FromSeconds(59));

        var second = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration);

        second.Acquired.Should().BeFalse();
        second.Current.Owner.Should().Be(first.Current.Owner);
        second.Current.ExpiresAt.Should().Be(first.Current.ExpiresAt);
    }

    /// <summary>Leases of different datasets are independent.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_OtherDataset_IsIndependent()
    {
        var ledger = await CreateLedgerAsync(Clock);
        (await ledger.TryAcquireLeaseAsync(IngestTestData.NewDatasetId(), Owner("run-a"), LeaseDuration)).Acquired.Should().BeTrue();

        (await ledger.TryAcquireLeaseAsync(IngestTestData.NewDatasetId(), Owner("run-b"), LeaseDuration)).Acquired.Should().BeTrue();
    }

    /// <summary>Once the lease has expired another run can take it.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_Expired_CanBeTaken()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration);
        Clock.Advance(LeaseDuration + TimeSpan.FromSeconds(1));

        var result = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), TimeSpan.FromSeconds(30));

        result.Acquired.Should().BeTrue();
        result.Current.Owner.RunId.Should().Be("run-b");
        result.Current.ExpiresAt.Should().Be(Clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        (await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration)).Acquired.Should().BeFalse("run-b now holds it");
    }

    /// <summary>Naming the holder in takeOverFrom takes a live lease; naming anyone else does not.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_TakeOverFrom_WorksOnlyForTheNamedHolder()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration);

        var wrong = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration, takeOverFrom: "run-x");
        var right = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration, takeOverFrom: "run-a");

        wrong.Acquired.Should().BeFalse();
        wrong.Current.Owner.RunId.Should().Be("run-a");
        right.Acquired.Should().BeTrue();
        right.Current.Owner.Should().Be(Owner("run-b"));
        (await ledger.TryAcquireLeaseAsync(dataset, Owner("run-c"), LeaseDuration, takeOverFrom: "run-a")).Acquired
            .Should().BeFalse("run-a no longer holds the lease");
    }

    /// <summary>Only the holder renews; renewal extends the expiry from now.</summary>
    [Fact]
    public async Task RenewLeaseAsync_OnlyHolder_ExtendsExpiry()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration);
        Clock.Advance(TimeSpan.FromSeconds(50));

        (await ledger.RenewLeaseAsync(dataset, "run-b", LeaseDuration)).Should().BeFalse();
        (await ledger.RenewLeaseAsync(dataset, "run-a", LeaseDuration)).Should().BeTrue();
        Clock.Advance(TimeSpan.FromSeconds(30));

        var probe = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration);
        probe.Acquired.Should().BeFalse("the renewed lease runs until 60 s after the renewal");
        probe.Current.ExpiresAt.Should().Be(Clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        (await ledger.RenewLeaseAsync(IngestTestData.NewDatasetId(), "run-a", LeaseDuration)).Should().BeFalse("there is no lease to renew");
    }

    /// <summary>A run that lost its lease to a take-over can neither renew nor release it.</summary>
    [Fact]
    public async Task RenewAndRelease_AfterTakeOver_DoNotAffectNewHolder()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration);
        Clock.Advance(LeaseDuration * 2);
        await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration);

        (await ledger.RenewLeaseAsync(dataset, "run-a", LeaseDuration)).Should().BeFalse();
        await ledger.ReleaseLeaseAsync(dataset, "run-a");

        var probe = await ledger.TryAcquireLeaseAsync(dataset, Owner("run-c"), LeaseDuration);
        probe.Acquired.Should().BeFalse();
        probe.Current.Owner.RunId.Should().Be("run-b");
    }

    /// <summary>Only the holder releases; after release the lease is free at once.</summary>
    [Fact]
    public async Task ReleaseLeaseAsync_OnlyHolder_FreesLease()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        await ledger.TryAcquireLeaseAsync(dataset, Owner("run-a"), LeaseDuration);

        await ledger.ReleaseLeaseAsync(dataset, "run-b");
        (await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration)).Acquired.Should().BeFalse("a non-holder cannot release");

        await ledger.ReleaseLeaseAsync(dataset, "run-a");
        (await ledger.TryAcquireLeaseAsync(dataset, Owner("run-b"), LeaseDuration)).Acquired.Should().BeTrue();
        await ledger.ReleaseLeaseAsync(IngestTestData.NewDatasetId(), "run-a");
    }

    /// <summary>Many concurrent acquirers of a free lease: exactly one gets it.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_Concurrent_ExactlyOneAcquires()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();

        var results = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => Task.Run(() => ledger.TryAcquireLeaseAsync(dataset, Owner($"run-{i:D2}"), LeaseDuration))));

        var winners = results.Where(r => r.Acquired).ToList();
        winners.Should().ContainSingle();
        results.Where(r => !r.Acquired).Should().OnlyContain(r => r.Current.Owner == winners[0].Current.Owner);
    }

    /// <summary>A run is recorded once; starting the same run id again is a conflict naming dataset and run.</summary>
    [Fact]
    public async Task StartRunAsync_Twice_ThrowsConcurrencyConflict()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var run = Run(dataset, 0);
        await ledger.StartRunAsync(run);

        var act = () => ledger.StartRunAsync(run with { DefinitionVersion = 9 });

        var error = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        error.Dataset.Should().Be(dataset);
        error.RunId.Should().Be(run.RunId);
        (await ledger.GetRunAsync(dataset, run.RunId)).Should().BeEquivalentTo(run);
    }

    /// <summary>Completing a successful run records its state and counts and the fingerprints of the inputs it ingested.</summary>
    [Fact]
    public async Task CompleteRunAsync_Succeeded_RecordsRunAndSources()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var run = Run(dataset, 0);
        await ledger.StartRunAsync(run);
        var ingested = new SourceFingerprint(new string('a', 64), "orders-1.csv", 1234, "sales/orders/ingest_date=2024-06-01/aaa/orders-1.csv", run.RunId);
        var skipped = new SourceFingerprint(new string('b', 64), "orders-0.csv", 99, "sales/orders/ingest_date=2024-05-01/bbb/orders-0.csv", run.RunId, Skipped: true);
        var completed = run with
        {
            Status = RunStatus.Succeeded,
            EndedAt = run.StartedAt.AddMinutes(3),
            RowsRead = 100,
            RowsWritten = 97,
            RowsRejected = 3,
            FilesWritten = ["curated/sales/orders/order_date=2024-01-01/part-x-00000.parquet", "quarantine/sales/orders/ingest_date=2024-06-01/part-x-00000.parquet"],
            PartitionsWritten = ["order_date=2024-01-01"],
            Sources = [ingested, skipped],
        };

        await ledger.CompleteRunAsync(completed);

        (await ledger.GetRunAsync(dataset, run.RunId)).Should().BeEquivalentTo(completed);
        (await ledger.FindSourceAsync(dataset, ingested.Sha256)).Should().Be(ingested);
        (await ledger.FindSourceAsync(dataset, skipped.Sha256)).Should().BeNull("an input the run skipped was ingested by another run");
        (await ledger.FindSourceAsync(IngestTestData.NewDatasetId(), ingested.Sha256)).Should().BeNull("fingerprints are per dataset");
    }

    /// <summary>A failed run records its state and error, and no fingerprints.</summary>
    [Fact]
    public async Task CompleteRunAsync_Failed_RecordsNoSources()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var run = Run(dataset, 0);
        await ledger.StartRunAsync(run);
        var source = new SourceFingerprint(new string('c', 64), "bad.csv", 10, "sales/orders/x/bad.csv", run.RunId);
        var failed = run with
        {
            Status = RunStatus.Failed,
            EndedAt = run.StartedAt.AddSeconds(5),
            RowsRead = 10,
            RowsRejected = 9,
            Error = "line 3: \"x\" is not an int64",
            Sources = [source],
            RejectsKept = [$"_failed_runs/{dataset.Domain}/{dataset.Name}/{run.RunId}/rejects-{run.RunId}-00000.parquet"],
        };

        await ledger.CompleteRunAsync(failed);

        var stored = await ledger.GetRunAsync(dataset, run.RunId);
        stored!.Status.Should().Be(RunStatus.Failed);
        stored.Error.Should().Be(failed.Error);
        stored.RowsRead.Should().Be(10);
        stored.RejectsKept.Should().Equal(failed.RejectsKept, "a failed run's kept rejects stay findable");
        (await ledger.FindSourceAsync(dataset, source.Sha256)).Should().BeNull("only a succeeded run records what it ingested");
    }

    /// <summary>Unknown runs and fingerprints read as null.</summary>
    [Fact]
    public async Task GetRunAndFindSource_Unknown_ReturnNull()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();

        (await ledger.GetRunAsync(dataset, "missing")).Should().BeNull();
        (await ledger.FindSourceAsync(dataset, new string('f', 64))).Should().BeNull();
        (await ledger.ListRunsAsync(dataset).ToListAsync()).Should().BeEmpty();
    }

    /// <summary>Runs are listed newest first, and only the dataset's own.</summary>
    [Fact]
    public async Task ListRunsAsync_NewestFirst()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var runs = Enumerable.Range(0, 4).Select(i => Run(dataset, i)).ToList();
        foreach (var i in new[] { 2, 0, 3, 1 })
        {
            await ledger.StartRunAsync(runs[i]);
        }

        await ledger.StartRunAsync(Run(IngestTestData.NewDatasetId(), 5));
        await ledger.CompleteRunAsync(runs[1] with { Status = RunStatus.Succeeded, EndedAt = runs[1].StartedAt.AddHours(9) });

        var listed = await ledger.ListRunsAsync(dataset).ToListAsync();

        listed.Select(r => r.RunId).Should().Equal(runs[3].RunId, runs[2].RunId, runs[1].RunId, runs[0].RunId);
        listed[2].Status.Should().Be(RunStatus.Succeeded);
    }

    /// <summary>A watermark advances only with a succeeded run, is kept per source, and survives later failed runs.</summary>
    [Fact]
    public async Task GetWatermarkAsync_OnlySucceededRunsAdvanceIt()
    {
        var ledger = await CreateLedgerAsync(Clock);
        var dataset = IngestTestData.NewDatasetId();
        var runs = Enumerable.Range(0, 3).Select(i => Run(dataset, i)).ToList();
        foreach (var run in runs)
        {
            await ledger.StartRunAsync(run);
        }

        (await ledger.GetWatermarkAsync(dataset, "orders.updated_at")).Should().BeNull();

        await ledger.CompleteRunAsync(runs[0] with { Status = RunStatus.Succeeded, Watermarks = new Dictionary<string, string> { ["orders.updated_at"] = "2024-06-01T10:00:00Z", ["lines.id"] = "41" } });
        await ledger.CompleteRunAsync(runs[1] with { Status = RunStatus.Failed, Error = "killed", Watermarks = new Dictionary<string, string> { ["orders.updated_at"] = "2024-06-02T10:00:00Z" } });

        (await ledger.GetWatermarkAsync(dataset, "orders.updated_at")).Should().Be("2024-06-01T10:00:00Z", "a failed run must not move the watermark");
        (await ledger.GetWatermarkAsync(dataset, "lines.id")).Should().Be("41");
        (await ledger.GetWatermarkAsync(IngestTestData.NewDatasetId(), "lines.id")).Should().BeNull("watermarks are per dataset");

        await ledger.CompleteRunAsync(runs[2] with { Status = RunStatus.Succeeded, Watermarks = new Dictionary<string, string> { ["orders.updated_at"] = "2024-06-03T10:00:00Z" } });

        (await ledger.GetWatermarkAsync(dataset, "orders.updated_at")).Should().Be("2024-06-03T10:00:00Z");
        (await ledger.GetWatermarkAsync(dataset, "lines.id")).Should().Be("41", "a run that does not read a source leaves its watermark alone");
    }

    /// <summary>Returns a lease owner for a run.</summary>
    protected static LeaseOwner Owner(string runId) => new(runId, "host-1", 4242);

    /// <summary>Returns a running record whose id and start time sort with <paramref name="index"/>.</summary>
    protected RunRecord Run(DatasetId dataset, int index)
    {
        var started = Clock.GetUtcNow().AddMinutes(index);
        return new RunRecord
        {
            RunId = started.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8],
            Dataset = dataset,
            DefinitionVersion = 1,
            Status = RunStatus.Running,
            StartedAt = started,
        };
    }
}
