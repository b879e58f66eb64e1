using System.Runtime.CompilerServices;
using Ingest.Definitions;
using Ingest.Ledger;

namespace Ingest.Local.Sqlite;

/// <summary>
/// The run ledger in the SQLite file. Items under <c>DATASET#{id}</c>: <c>LEASE</c>, <c>RUN#{runId}</c> and
/// <c>SOURCE#{sha256}</c>, each body the JSON of the contract record. Lease expiry is judged by the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class SqliteRunLedger(SqliteStore store, TimeProvider timeProvider) : IRunLedger
{

    public Task<LeaseResult> TryAcquireLeaseAsync(DatasetId dataset, LeaseOwner owner, TimeSpan duration, string? takeOverFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var pk = Keys.Dataset(dataset);
        return store.WriteAsync<LeaseResult>(
            async (connection, transaction) =>
            {
                var now = timeProvider.GetUtcNow();
                var body = await SqliteStore.GetAsync(connection, transaction, pk, Keys.Lease, cancellationToken).ConfigureAwait(false);
                if (body is not null)
                {
                    var current = LedgerJson.Deserialize<Lease>(body);
                    if (current.ExpiresAt > now && !string.Equals(current.Owner.RunId, takeOverFrom, StringComparison.Ordinal))
                    {
                        return (false, new LeaseResult(false, current));
                    }
                }

                var lease = new Lease(dataset, owner, now + duration);
                await SqliteStore.PutAsync(connection, transaction, pk, Keys.Lease, LedgerJson.Serialize(lease), cancellationToken).ConfigureAwait(false);
                return (true, new LeaseResult(true, lease));
            },
            cancellationToken);
    }

    public Task<bool> RenewLeaseAsync(DatasetId dataset, string runId, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var pk = Keys.Dataset(dataset);
        return store.WriteAsync<bool>(
            async (connection, transaction) =>
            {
                var current = await HeldLeaseAsync(connection, transaction, pk, runId, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    return (false, false);
                }

                var renewed = current with { ExpiresAt = timeProvider.GetUtcNow() + duration };
                await SqliteStore.PutAsync(connection, transaction, pk, Keys.Lease, LedgerJson.Serialize(renewed), cancellationToken).ConfigureAwait(false);
                return (true, true);
            },
            cancellationToken);
    }

    public Task ReleaseLeaseAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var pk = Keys.Dataset(dataset);
        return store.WriteAsync<bool>(
            async (connection, transaction) =>
            {
                if (await HeldLeaseAsync(connection, transaction, pk, runId, cancellationToken).ConfigureAwait(false) is null)
                {
                    return (false, false);
                }

                await SqliteStore.DeleteAsync(connection, transaction, pk, Keys.Lease, cancellationToken).ConfigureAwait(false);
                return (true, true);
            },
            cancellationToken);
    }

    public async Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId);
        var body = LedgerJson.Serialize(run);
        var inserted = await store.WriteAsync<bool>(
            async (connection, transaction) =>
            {
                var ok = await SqliteStore.TryInsertAsync(connection, transaction, Keys.Dataset(run.Dataset), Keys.Run(run.RunId), body, cancellationToken).ConfigureAwait(false);
                return (ok, ok);
            },
            cancellationToken).ConfigureAwait(false);
        if (!inserted)
        {
            throw new ConcurrencyConflictException($"Dataset {run.Dataset}: run {run.RunId} is already recorded; run ids must be unique.")
            {
                Dataset = run.Dataset,
                RunId = run.RunId,
            };
        }
    }

    public Task CompleteRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId);
        var pk = Keys.Dataset(run.Dataset);
        var body = LedgerJson.Serialize(run);
        var sources = run.Status == RunStatus.Succeeded
            ? run.Sources.Where(s => !s.Skipped).Select(s => (Sk: Keys.Source(s.Sha256), Body: LedgerJson.Serialize(s))).ToList()
            : [];
        return store.WriteAsync<bool>(
            async (connection, transaction) =>
            {
                await SqliteStore.PutAsync(connection, transaction, pk, Keys.Run(run.RunId), body, cancellationToken).ConfigureAwait(false);
                foreach (var (sk, sourceBody) in sources)
                {
                    // The first run that ingested an input stays its record.
                    await SqliteStore.TryInsertAsync(connection, transaction, pk, sk, sourceBody, cancellationToken).ConfigureAwait(false);
                }

                return (true, true);
            },
            cancellationToken);
    }

    public async Task<RunRecord?> GetRunAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var body = await store.GetAsync(Keys.Dataset(dataset), Keys.Run(runId), cancellationToken).ConfigureAwait(false);
        return body is null ? null : LedgerJson.Deserialize<RunRecord>(body);
    }

    public async IAsyncEnumerable<RunRecord> ListRunsAsync(DatasetId dataset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var rows = store.QueryAsync(
            "SELECT body FROM items WHERE pk = $pk AND sk >= 'RUN#' AND sk < 'RUN$' ORDER BY julianday(json_extract(body, '$.startedAt')) DESC, sk DESC",
            [("$pk", Keys.Dataset(dataset))],
            cancellationToken);
        await foreach (var body in rows.ConfigureAwait(false))
        {
            yield return LedgerJson.Deserialize<RunRecord>(body);
        }
    }

    public async Task<SourceFingerprint?> FindSourceAsync(DatasetId dataset, string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        var body = await store.GetAsync(Keys.Dataset(dataset), Keys.Source(sha256), cancellationToken).ConfigureAwait(false);
        return body is null ? null : LedgerJson.Deserialize<SourceFingerprint>(body);
    }

    private static async Task<Lease?> HeldLeaseAsync(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string pk, string runId, CancellationToken cancellationToken)
    {
        var body = await SqliteStore.GetAsync(connection, transaction, pk, Keys.Lease, cancellationToken).ConfigureAwait(false);
        var lease = body is null ? null : LedgerJson.Deserialize<Lease>(body);
        return lease is not null && string.Equals(lease.Owner.RunId, runId, StringComparison.Ordinal) ? lease : null;
    }
}
