using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2.Model;
using Ingest.Aws.Diagnostics;
using Ingest.Definitions;
using Ingest.Ledger;
using Microsoft.Extensions.Logging;

namespace Ingest.Aws.DynamoDb;

/// <summary>
/// The run ledger in DynamoDB. Items under <c>DATASET#{id}</c>: <c>LEASE</c> (attributes <c>runId</c>, <c>host</c>,
/// <c>processId</c>, <c>expiresAt</c> as UTC text <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>), <c>RUN#{runId}</c> (<c>status</c>, <c>startedAt</c> in UTC ticks and the JSON <c>body</c> of the record,
/// gzip in <c>bodyGz</c> when large) and <c>SOURCE#{sha256}</c> (<c>runId</c> and the JSON <c>body</c> of the fingerprint).
/// Every change is a conditional single-item write; lease expiry is judged by the <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// The lease's <c>expiresAt</c> is fixed-width text in milliseconds because the state machine (IngestStateMachine) and the Glue
/// job (terraform/glue_ingest_job/ingest_core/ledger.py) take and judge the same lease: a condition
/// <c>expiresAt &lt;= :now</c> compares it with Step Functions' <c>$$.State.EnteredTime</c>, which has that format.
/// </remarks>
/// <remarks>
/// A run completes with its source items first and its run item last: the run item is the commit point. A source item
/// counts only while its run's item says <see cref="RunStatus.Succeeded"/>, so a process that stops between the writes
/// records nothing (the next run of the same input overwrites the orphan), and one that completes records both.
/// </remarks>
internal sealed class DynamoDbRunLedger : IRunLedger
{
    private const int MaxLeaseAttempts = 8;

    private readonly DynamoDbTable _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public DynamoDbRunLedger(DynamoDbTable table, TimeProvider timeProvider, ILogger logger)
    {
        _table = table;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<LeaseResult> TryAcquireLeaseAsync(DatasetId dataset, LeaseOwner owner, TimeSpan duration, string? takeOverFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var pk = Keys.Dataset(dataset);
        Lease? current = null;
        for (var attempt = 0; attempt < MaxLeaseAttempts; attempt++)
        {
            var now = _timeProvider.GetUtcNow();
            var lease = new Lease(dataset, owner, ToMilliseconds(now + duration));
            var values = new Dictionary<string, AttributeValue> { [":now"] = DynamoDbTable.S(LeaseTime(now)) };
            var condition = "attribute_not_exists(pk) OR expiresAt <= :now";
            if (takeOverFrom is not null)
            {
                condition += " OR runId = :takeOver";
                values[":takeOver"] = DynamoDbTable.S(takeOverFrom);
            }

            if (await _table.TryPutAsync(LeaseItem(pk, lease), condition, values, cancellationToken).ConfigureAwait(false))
            {
                return new LeaseResult(true, lease);
            }

            var item = await _table.GetAsync(pk, Keys.Lease, cancellationToken).ConfigureAwait(false);
            current = item is null ? null : ReadLease(dataset, item);
            if (current is not null && current.ExpiresAt > now)
            {
                return new LeaseResult(false, current);
            }

            // Released or expired between the write and the read: try again.
        }

        throw new IngestException($"Dataset {dataset}: the lease kept changing hands during {MaxLeaseAttempts} attempts to take it; retry.")
        {
            Dataset = dataset,
            RunId = current?.Owner.RunId,
            IsTransient = true,
        };
    }

    public Task<bool> RenewLeaseAsync(DatasetId dataset, string runId, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return _table.TryUpdateAsync(
            Keys.Dataset(dataset),
            Keys.Lease,
            "SET expiresAt = :expires",
            "runId = :runId",
            new() { [":expires"] = DynamoDbTable.S(LeaseTime(_timeProvider.GetUtcNow() + duration)), [":runId"] = DynamoDbTable.S(runId) },
            cancellationToken);
    }

    public async Task ReleaseLeaseAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _table.TryDeleteAsync(Keys.Dataset(dataset), Keys.Lease, "runId = :runId", new() { [":runId"] = DynamoDbTable.S(runId) }, cancellationToken).ConfigureAwait(false);
    }

    public async Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId);
        if (!await _table.TryPutAsync(RunItem(run), "attribute_not_exists(pk)", null, cancellationToken).ConfigureAwait(false))
        {
            throw new ConcurrencyConflictException($"Dataset {run.Dataset}: run {run.RunId} is already recorded; run ids must be unique.")
            {
                Dataset = run.Dataset,
                RunId = run.RunId,
            };
        }
    }

    public async Task CompleteRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId);
        if (run.Status == RunStatus.Succeeded)
        {
            foreach (var source in run.Sources.Where(s => !s.Skipped))
            {
                await RecordSourceAsync(run, source, cancellationToken).ConfigureAwait(false);
            }
        }

        // The commit point: from here on the sources count.
        await _table.TryPutAsync(RunItem(run), null, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunRecord?> GetRunAsync(DatasetId dataset, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var item = await _table.GetAsync(Keys.Dataset(dataset), Keys.Run(runId), cancellationToken).ConfigureAwait(false);
        return item is null ? null : LedgerJson.Deserialize<RunRecord>(DynamoDbTable.GetBody(item, "body"));
    }

    /// <remarks>
    /// Newest first by start time, then run id, as the SQLite ledger orders them. The keys and start times are read
    /// first (small), then the records in pages of 100.
    /// </remarks>
    public async IAsyncEnumerable<RunRecord> ListRunsAsync(DatasetId dataset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pk = Keys.Dataset(dataset);
        var runs = new List<(long StartedAt, string Sk)>();
        await foreach (var item in _table.QueryAsync(pk, "RUN#", "RUN$", forward: false, "sk, startedAt", cancellationToken).ConfigureAwait(false))
        {
            runs.Add((item.TryGetValue("startedAt", out var started) ? long.Parse(started.N, CultureInfo.InvariantCulture) : 0, item[DynamoDbTable.SortKey].S));
        }

        runs.Sort((a, b) => a.StartedAt != b.StartedAt ? b.StartedAt.CompareTo(a.StartedAt) : string.CompareOrdinal(b.Sk, a.Sk));
        foreach (var page in runs.Chunk(100))
        {
            var items = await _table.BatchGetAsync([.. page.Select(r => (pk, r.Sk))], cancellationToken).ConfigureAwait(false);
            var bySk = items.ToDictionary(i => i[DynamoDbTable.SortKey].S, StringComparer.Ordinal);
            foreach (var run in page)
            {
                if (bySk.TryGetValue(run.Sk, out var item))
                {
                    yield return LedgerJson.Deserialize<RunRecord>(DynamoDbTable.GetBody(item, "body"));
                }
            }
        }
    }

    public async Task<SourceFingerprint?> FindSourceAsync(DatasetId dataset, string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        var pk = Keys.Dataset(dataset);
        var item = await _table.GetAsync(pk, Keys.Source(sha256), cancellationToken).ConfigureAwait(false);
        if (item is null)
        {
            return null;
        }

        var source = LedgerJson.Deserialize<SourceFingerprint>(DynamoDbTable.GetBody(item, "body"));
        return await HasSucceededAsync(pk, item["runId"].S, cancellationToken).ConfigureAwait(false) ? source : null;
    }

    private async Task RecordSourceAsync(RunRecord run, SourceFingerprint source, CancellationToken cancellationToken)
    {
        var pk = Keys.Dataset(run.Dataset);
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [DynamoDbTable.PartitionKey] = DynamoDbTable.S(pk),
            [DynamoDbTable.SortKey] = DynamoDbTable.S(Keys.Source(source.Sha256)),
            ["runId"] = DynamoDbTable.S(run.RunId),
            ["body"] = DynamoDbTable.S(LedgerJson.Serialize(source)),
        };
        var mine = new Dictionary<string, AttributeValue> { [":runId"] = DynamoDbTable.S(run.RunId) };
        for (var attempt = 0; attempt < MaxLeaseAttempts; attempt++)
        {
            if (await _table.TryPutAsync(item, "attribute_not_exists(pk) OR runId = :runId", mine, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Another run recorded this input. The first run that succeeded with it stays its record; an orphan of a run
            // that never succeeded is taken over.
            var existing = await _table.GetAsync(pk, Keys.Source(source.Sha256), cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue;
            }

            var holder = existing["runId"].S;
            if (await HasSucceededAsync(pk, holder, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (await _table.TryPutAsync(item, "runId = :holder", new() { [":holder"] = DynamoDbTable.S(holder) }, cancellationToken).ConfigureAwait(false))
            {
                Log.SourceTakenOver(_logger, source.Sha256, run.Dataset.ToString(), holder, run.RunId);
                return;
            }
        }

        throw new IngestException($"Dataset {run.Dataset}: the fingerprint of {source.Name} kept changing while run {run.RunId} recorded it; retry.")
        {
            Dataset = run.Dataset,
            RunId = run.RunId,
            IsTransient = true,
        };
    }

    private async Task<bool> HasSucceededAsync(string pk, string runId, CancellationToken cancellationToken)
    {
        var run = await _table.GetAsync(pk, Keys.Run(runId), cancellationToken).ConfigureAwait(false);
        return run is not null && run.TryGetValue("status", out var status) && status.S == StatusName(RunStatus.Succeeded);
    }

    private static Dictionary<string, AttributeValue> RunItem(RunRecord run)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [DynamoDbTable.PartitionKey] = DynamoDbTable.S(Keys.Dataset(run.Dataset)),
            [DynamoDbTable.SortKey] = DynamoDbTable.S(Keys.Run(run.RunId)),
            ["status"] = DynamoDbTable.S(StatusName(run.Status)),
            ["startedAt"] = DynamoDbTable.N(run.StartedAt.UtcTicks),
        };
        DynamoDbTable.SetBody(item, "body", LedgerJson.Serialize(run), $"The record of run {run.RunId} of {run.Dataset}");
        return item;
    }

    private static Dictionary<string, AttributeValue> LeaseItem(string pk, Lease lease) => new(StringComparer.Ordinal)
    {
        [DynamoDbTable.PartitionKey] = DynamoDbTable.S(pk),
        [DynamoDbTable.SortKey] = DynamoDbTable.S(Keys.Lease),
        ["runId"] = DynamoDbTable.S(lease.Owner.RunId),
        ["host"] = DynamoDbTable.S(lease.Owner.Host),
        ["processId"] = DynamoDbTable.N(lease.Owner.ProcessId),
        ["expiresAt"] = DynamoDbTable.S(LeaseTime(lease.ExpiresAt)),
    };

    /// <summary>The lease's time format: UTC, milliseconds, fixed width, so that text order is time order.</summary>
    internal static string LeaseTime(DateTimeOffset time)
        => ToMilliseconds(time).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ToMilliseconds(DateTimeOffset time)
        => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static Lease ReadLease(DatasetId dataset, Dictionary<string, AttributeValue> item) => new(
        dataset,
        new LeaseOwner(item["runId"].S, item["host"].S, int.Parse(item["processId"].N, CultureInfo.InvariantCulture)),
        DateTimeOffset.ParseExact(item["expiresAt"].S, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));

    private static string StatusName(RunStatus status) => LedgerJson.Serialize(status).Trim('"');
}
