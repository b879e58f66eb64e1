using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Ingest.Engine.Reading;

/// <summary>A batch of records read ahead, in source order. Recycled: its records (and their field arrays) are reused.</summary>
internal sealed class SourceBatch
{
    public SourceBatch(int size, int width)
    {
        Records = new SourceRecord[size];
        for (var i = 0; i < size; i++)
        {
            Records[i] = new SourceRecord(width);
        }
    }

    /// <summary>Gets the records; only the first <see cref="Count"/> are valid.</summary>
    public SourceRecord[] Records { get; }

    /// <summary>Gets the number of records in the batch (at least one for a batch handed to the consumer).</summary>
    public int Count { get; internal set; }

    /// <summary>Gets the reader's <see cref="ISourceReader.BytesRead"/> after the batch's last record.</summary>
    public long BytesRead { get; internal set; }

    /// <summary>Gets the number of leading schema columns the reading task converted for this batch's records.</summary>
    public int PreparedColumns { get; internal set; }
}

/// <summary>Converts the first columns of a record on the reading task (see <see cref="RowProcessor.Prepare"/>).</summary>
/// <param name="record">The record just read.</param>
/// <param name="columns">How many leading schema columns to convert.</param>
internal delegate void PrepareRecord(SourceRecord record, int columns);

/// <summary>
/// Parses ahead on a second core: runs an <see cref="ISourceReader"/> on its own task, which fills batches of
/// records and hands them to the consumer over a bounded channel, so parsing overlaps with conversion and writing.
/// </summary>
/// <remarks>
/// <para>Records arrive in the reader's order, each exactly once. A reader exception surfaces from
/// <see cref="ReadBatchAsync"/> unchanged (same exception object) after every batch with the records read
/// before it; a cancellation surfaces as <see cref="OperationCanceledException"/>.</para>
/// <para>Memory is bounded: at most <c>capacity</c> batches wait in the channel, one is being filled and one is
/// being consumed, and batches are recycled (at most <c>capacity + 2</c> are ever created).</para>
/// <para>Hand-overs are few: a producer that finds the channel full sleeps until the consumer has drained it to a
/// quarter of its capacity, then refills it in one go.</para>
/// <para>The reader is the producer's alone until <see cref="DisposeAsync"/> returns: dispose this stage (which
/// cancels the producer and waits for it) before disposing the reader. Its owner opens it (the header is
/// needed before the first record) and disposes it.</para>
/// </remarks>
internal sealed class SourceReadAhead : IAsyncDisposable
{
    // Sizes measured on the 2,000,000-row orders file (2 cores): every record waiting in a batch keeps its strings
    // alive across a gen0 collection, and with about 5,000 of them waiting (1,024 x 5 or 512 x 10) nearly every
    // gen0 collection became a gen1 one (45 of 50; 0.07 s more pause). 256 x (8 + 2) stays at the single thread's
    // 2-5; the low-water mark (a quarter of the capacity) keeps the hand-overs as few as with larger batches.

    /// <summary>The default number of records per batch.</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>The default number of full batches that may wait for the consumer.</summary>
    public const int DefaultCapacity = 8;

    private readonly ISourceReader _reader;
    private readonly int _batchSize;
    private readonly int _width;
    private readonly Channel<SourceBatch> _full;
    private readonly ConcurrentQueue<SourceBatch> _free = new();
    private readonly int _lowWater;
    private readonly SemaphoreSlim _space = new(0, 1);
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private readonly PrepareRecord? _prepare;
    private readonly int _maxPrepared;
    private readonly int _capacity;
    private int _prepared;
    private SourceBatch? _current;
    private int _batchesCreated;
    private int _producerWaiting;
    private bool _disposed;

    private SourceReadAhead(ISourceReader reader, int batchSize, int capacity, PrepareRecord? prepare, int maxPrepared, CancellationToken cancellationToken)
    {
        _reader = reader;
        _prepare = prepare;
        _maxPrepared = prepare is null ? 0 : maxPrepared;
        _prepared = _maxPrepared / 2;
        _capacity = capacity;
        _batchSize = batchSize;
        _width = reader.Header.Count;
        _lowWater = capacity / 4;
        _full = Channel.CreateBounded<SourceBatch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stop = _stop.Token;
        _producer = Task.Run(() => ProduceAsync(stop), CancellationToken.None);
    }

    /// <summary>Gets the reader's bytes read up to the last batch returned by <see cref="ReadBatchAsync"/> (all of them at the end).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Gets the number of batches created so far (for tests of the memory bound).</summary>
    internal int BatchesCreated => Volatile.Read(ref _batchesCreated);

    /// <summary>Gets the number of leading columns the reading task currently converts (for tests and diagnostics).</summary>
    internal int PreparedColumns => Volatile.Read(ref _prepared);

    /// <summary>Starts reading ahead from an opened reader with the default batch size and capacity.</summary>
    public static SourceReadAhead Start(ISourceReader reader, CancellationToken cancellationToken)
        => Start(reader, DefaultBatchSize, DefaultCapacity, cancellationToken);

    /// <summary>Starts reading ahead from an opened reader.</summary>
    public static SourceReadAhead Start(ISourceReader reader, int batchSize, int capacity, CancellationToken cancellationToken)
        => Start(reader, batchSize, capacity, null, 0, cancellationToken);

    /// <summary>
    /// Starts reading ahead from an opened reader; the reading task also converts up to
    /// <paramref name="maxPrepared"/> leading columns of each record with <paramref name="prepare"/>. How many
    /// follows the two sides' pace: one more column while batches wait for the consumer, one fewer each time
    /// the consumer has to wait, so both cores stay busy whether parsing or conversion is the heavier part.
    /// </summary>
    public static SourceReadAhead Start(ISourceReader reader, int batchSize, int capacity, PrepareRecord? prepare, int maxPrepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPrepared, 0);
        return new SourceReadAhead(reader, batchSize, capacity, prepare, maxPrepared, cancellationToken);
    }

    /// <summary>
    /// Returns the next batch, or <see langword="null"/> at the end of the input. The batch returned by the
    /// previous call goes back to the pool: the consumer must be done with it (and copy what it keeps).
    /// </summary>
    public async ValueTask<SourceBatch?> ReadBatchAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_current is { } done)
        {
            _current = null;
            _free.Enqueue(done);
        }

        var full = _full.Reader;
        var waited = false;
        do
        {
            if (full.TryRead(out var batch))
            {
                Balance(waited, full.Count);
                if (Volatile.Read(ref _producerWaiting) == 1 && full.Count <= _lowWater && Interlocked.Exchange(ref _producerWaiting, 0) == 1)
                {
                    _space.Release();
                }

                _current = batch;
                BytesRead = batch.BytesRead;
                return batch;
            }
        }
        while (waited = await full.WaitToReadAsync(cancellationToken).ConfigureAwait(false));

        // The producer completed the channel on its way out: every batch is consumed, so its exception (the
        // reader's, or a cancellation), if any, surfaces now, after the records read before it.
        await _producer.ConfigureAwait(false);
        BytesRead = _reader.BytesRead;
        return null;
    }

    /// <summary>
    /// Moves conversion work between the two sides: the consumer waiting for a batch means the reading task is
    /// the slower one (one column fewer); half the capacity or more waiting means the consumer is (one more).
    /// </summary>
    private void Balance(bool waited, int waiting)
    {
        if (_maxPrepared == 0)
        {
            return;
        }

        var prepared = _prepared;
        if (waited && prepared > 0)
        {
            Volatile.Write(ref _prepared, prepared - 1);
        }
        else if (!waited && waiting >= (_capacity + 1) / 2 && prepared < _maxPrepared)
        {
            Volatile.Write(ref _prepared, prepared + 1);
        }
    }

    private async Task ProduceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var more = true;
            while (more)
            {
                var batch = Rent();
                ExceptionDispatchInfo? failure = null;
                try
                {
                    more = await FillAsync(batch, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (batch.Count > 0)
                {
                    // Hand on the records read before the failure first; the consumer meets the exception after them.
                    failure = ExceptionDispatchInfo.Capture(ex);
                }

                batch.BytesRead = _reader.BytesRead;
                if (batch.Count > 0)
                {
                    await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _free.Enqueue(batch);
                }

                failure?.Throw();
            }
        }
        finally
        {
            _full.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Hands a batch on. When the channel is full, the producer sleeps until the consumer has drained it down to
    /// the low-water mark (a quarter of the capacity) and then refills it in one go: one wake-up per several
    /// batches instead of one per batch, for each wake-up is a thread-pool hop (about 0.1 ms of CPU on 2 cores,
    /// most of it a pool thread spinning for more work).
    /// </summary>
    private async ValueTask WriteAsync(SourceBatch batch, CancellationToken cancellationToken)
    {
        while (!_full.Writer.TryWrite(batch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Exchange(ref _producerWaiting, 1);

            // Drained meanwhile (the consumer may have looked before the flag was up): take the flag back and retry.
            // If the consumer took it first, it releases the semaphore, and the wait below returns at once.
            if (_full.Reader.Count <= _lowWater && Interlocked.Exchange(ref _producerWaiting, 0) == 1)
            {
                continue;
            }

            await _space.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fills a batch; returns <see langword="false"/> when the reader reached the end.</summary>
    private async ValueTask<bool> FillAsync(SourceBatch batch, CancellationToken cancellationToken)
    {
        var records = batch.Records;
        var prepared = _prepare is null ? 0 : Volatile.Read(ref _prepared);
        batch.PreparedColumns = prepared;
        batch.Count = 0;
        while (batch.Count < records.Length)
        {
            var record = records[batch.Count];
            if (!await _reader.ReadAsync(record, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            if (prepared > 0)
            {
                _prepare!(record, prepared);
            }

            batch.Count++;
        }

        return true;
    }

    private SourceBatch Rent()
    {
        if (_free.TryDequeue(out var batch))
        {
            return batch;
        }

        // Only when every batch is in use: at most capacity in the channel plus the consumer's one.
        Interlocked.Increment(ref _batchesCreated);
        return new SourceBatch(_batchSize, _width);
    }

    /// <summary>Stops the producer (if still running) and waits for it, so that the reader can be disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);

        // Its outcome was either seen by ReadBatchAsync or no longer matters (the consumer stopped first, with its
        // own exception or cancellation); observe it so that it is not reported as unobserved.
        await _producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _ = _producer.Exception;
        _stop.Dispose();
        _space.Dispose();
    }
}
