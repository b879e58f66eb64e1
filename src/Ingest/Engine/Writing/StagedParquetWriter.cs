using System.Globalization;
using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Ingest.Storage;
using Ingest.Engine.Writing.Parquet;

namespace Ingest.Engine.Writing;

/// <summary>A file written to a run's staging area, with the key it gets when the run commits.</summary>
/// <param name="Zone">The zone.</param>
/// <param name="StagingKey">Where it was written.</param>
/// <param name="FinalKey">Where the commit puts it.</param>
/// <param name="PartitionPath">The partition (<c>name=value/…/</c>, empty when unpartitioned).</param>
/// <param name="Rows">The number of rows.</param>
/// <param name="Bytes">The file size.</param>
internal sealed record StagedFile(LakeZone Zone, string StagingKey, string FinalKey, string PartitionPath, long Rows, long Bytes)
{
    /// <summary>Gets each column's statistics over the file, in column order (what an Iceberg manifest records).</summary>
    public IReadOnlyList<ParquetColumnStatistics> Statistics { get; init; } = [];

    /// <summary>Gets whether the file was written where it stays (a table format that needs no promotion).</summary>
    public bool InPlace => StagingKey == FinalKey;
}

/// <summary>
/// Writes rows into Parquet files per partition under a run's staging prefix. Rows are buffered per
/// partition and written as a row group when the buffer reaches the row-group size; when all buffers
/// together exceed the memory budget the largest is written early. A file is closed when it reaches the
/// target size, or when more than the allowed number of files is open (least recently used first).
/// </summary>
/// <remarks>
/// A row group is encoded and compressed on the thread pool while the caller goes on reading and buffering
/// the next rows: the two cores of a small machine parse and encode at the same time. At most one row
/// group is in flight; every operation on files waits for it first, so files are opened, written and
/// closed in the same order as without the overlap (same names, same contents), and an error of the
/// background write surfaces on the next call.
/// </remarks>
internal sealed class StagedParquetWriter : IAsyncDisposable
{
    private readonly ILakeStorage _lake;
    private readonly LakeZone _zone;
    private readonly IReadOnlyList<ColumnDefinition> _columns;
    private readonly ParquetColumn[] _parquetColumns;
    private readonly RowGroupEncoder _encoder;
    private readonly string _stagingPrefix;
    private readonly string _finalPrefix;
    private readonly string _runId;
    private readonly string _namePrefix;
    private readonly long _rowGroupBytes;
    private readonly long _targetFileBytes;
    private readonly long _memoryBudget;
    private readonly int _maxOpenFiles;
    private readonly bool _inPlace;
    private readonly Dictionary<string, PartitionState> _partitions = new(StringComparer.Ordinal);
    private readonly List<StagedFile> _completed = [];
    private long _bufferedBytes;
    private long _clock;
    private int _openFiles;
    private int _sequence;
    private Task _inFlight = Task.CompletedTask;
    private PartitionState? _last;

    // Column buffers of written row groups, kept for the next ones (a few sets: unpartitioned, the one in
    // flight comes back while the next fills). Taken by the caller, given back by the background write.
    private readonly Stack<ColumnBuffer[]> _spare = new();
    private int _buffering;

    public StagedParquetWriter(
        ILakeStorage lake,
        LakeZone zone,
        IReadOnlyList<ColumnDefinition> columns,
        string stagingPrefix,
        string finalPrefix,
        string runId,
        string namePrefix,
        WriteSettings write,
        long memoryBudgetBytes,
        int maxOpenFiles,
        IReadOnlyDictionary<string, int>? fieldIds = null,
        bool inPlace = false)
    {
        _lake = lake;
        _zone = zone;
        _columns = columns;
        _parquetColumns = [.. columns.Select(c => ParquetColumn.From(c) with { FieldId = fieldIds?.GetValueOrDefault(c.Name) })];
        _inPlace = inPlace;
        _encoder = new RowGroupEncoder(write.Compression, parallel: Environment.ProcessorCount > 1);
        _stagingPrefix = stagingPrefix;
        _finalPrefix = finalPrefix;
        _runId = runId;
        _namePrefix = namePrefix;
        _rowGroupBytes = Math.Min((long)write.RowGroupSizeMb << 20, memoryBudgetBytes);
        _targetFileBytes = (long)write.TargetFileSizeMb << 20;
        _memoryBudget = memoryBudgetBytes;
        _maxOpenFiles = maxOpenFiles;
    }

    /// <summary>Gets the partitions that received at least one row.</summary>
    public IEnumerable<string> Partitions => _partitions.Keys;

    public long RowsWritten { get; private set; }

    /// <summary>Gets the files closed so far.</summary>
    public IReadOnlyList<StagedFile> Completed => _completed;

    /// <summary>Adds a row (values in the order of the writer's columns) to a partition.</summary>
    /// <remarks>
    /// Synchronous unless a row group is due (every 128 rows of a partition the buffered size is checked):
    /// no state machine per row. Rows of the same partition usually arrive together with the same path
    /// instance, which finds the partition without hashing the path.
    /// </remarks>
    public ValueTask AddAsync(string partitionPath, object?[] values, CancellationToken cancellationToken)
        => AddAsync(partitionPath, values, null, null, cancellationToken);

    /// <summary>
    /// Adds a row whose slots holding <see cref="PhysicalValue.InBits"/> have their value in
    /// <paramref name="bits"/> at the same index, strings pointing into <paramref name="characters"/>
    /// (see <see cref="ColumnBuffer.AddPhysical"/>).
    /// </summary>
    public ValueTask AddAsync(string partitionPath, object?[] values, long[]? bits, char[]? characters, CancellationToken cancellationToken)
    {
        var state = _last;
        if (state is null || !ReferenceEquals(state.Path, partitionPath))
        {
            if (!_partitions.TryGetValue(partitionPath, out state))
            {
                state = new PartitionState(partitionPath);
                _partitions.Add(partitionPath, state);
            }

            _last = state;
        }

        // Buffers are released after each row group (see FlushAsync) and allocated again on demand, so a
        // partition that received rows once does not hold memory for the rest of the run.
        if (state.Buffers is null)
        {
            return AddWithNewBuffersAsync(state, values, bits, characters, cancellationToken);
        }

        Append(state, state.Buffers, values, bits, characters);
        return (state.Rows & 127) == 0 ? CheckSizeAsync(state, cancellationToken) : ValueTask.CompletedTask;
    }

    private async ValueTask AddWithNewBuffersAsync(PartitionState state, object?[] values, long[]? bits, char[]? characters, CancellationToken cancellationToken)
    {
        // No more partitions buffering than files may be open: rows sorted by the partition column
        // (a day after another) then write each partition as it ends, with the same few buffer sets.
        if (_buffering >= _maxOpenFiles)
        {
            var coldest = _partitions.Values.Where(p => p.Buffers is not null).MinBy(p => p.LastUsed)!;
            await FlushAsync(coldest, cancellationToken).ConfigureAwait(false);
        }

        lock (_spare)
        {
            state.Buffers = _spare.TryPop(out var spare) ? spare : [.. _columns.Select(ColumnBuffer.Create)];
        }

        _buffering++;
        Append(state, state.Buffers, values, bits, characters);
        if ((state.Rows & 127) == 0)
        {
            await CheckSizeAsync(state, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Append(PartitionState state, ColumnBuffer[] buffers, object?[] values, long[]? bits, char[]? characters)
    {
        for (var i = 0; i < buffers.Length; i++)
        {
            var value = values[i];
            if (ReferenceEquals(value, PhysicalValue.InBits))
            {
                buffers[i].AddPhysical(bits![i], characters);
            }
            else
            {
                buffers[i].Add(value);
            }
        }

        state.Rows++;
        RowsWritten++;
        state.LastUsed = ++_clock;
    }

    private async ValueTask CheckSizeAsync(PartitionState state, CancellationToken cancellationToken)
    {
        var before = state.Bytes;
        long bytes = 0;
        foreach (var buffer in state.Buffers!)
        {
            bytes += buffer.EstimatedBytes;
        }

        state.Bytes = bytes;
        _bufferedBytes += state.Bytes - before;
        if (state.Bytes >= _rowGroupBytes)
        {
            await FlushAsync(state, cancellationToken).ConfigureAwait(false);
        }
        else if (_bufferedBytes > _memoryBudget)
        {
            var largest = _partitions.Values.MaxBy(p => p.Bytes)!;
            await FlushAsync(largest, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes every buffer, closes every file and returns the staged files.</summary>
    public async Task<IReadOnlyList<StagedFile>> CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var state in _partitions.Values)
        {
            await FlushAsync(state, cancellationToken).ConfigureAwait(false);
            await _inFlight.ConfigureAwait(false);
            await CloseFileAsync(state, cancellationToken).ConfigureAwait(false);
        }

        return _completed;
    }

    private async Task FlushAsync(PartitionState state, CancellationToken cancellationToken)
    {
        if (state.Rows == 0 || state.Buffers is not { } buffers)
        {
            return;
        }

        // The previous operation first: one row group in flight at a time. Which file a row group goes to, which
        // file is closed to make room and every file name are decided here, in the caller's order; opening,
        // encoding, closing (footer, flush to disk) happen on the thread pool while the caller reads on.
        await _inFlight.ConfigureAwait(false);
        OpenFile? evicted = null;
        if (state.File is null)
        {
            if (_openFiles >= _maxOpenFiles)
            {
                var victim = _partitions.Values.Where(p => p.File is not null).MinBy(p => p.LastUsed)!;
                evicted = victim.File;
                victim.File = null;
                _openFiles--;
            }

            var name = string.Create(CultureInfo.InvariantCulture, $"{_namePrefix}-{_runId}-{_sequence++:D5}.parquet");
            // Staged flat (the name is unique): a folder per partition would be created twice, in staging and
            // in the dataset, and creating folders and files is much of the cost of writing many partitions.
            // In place (Iceberg): written once at the key it keeps; only the table's metadata makes it visible.
            var finalKey = _finalPrefix + state.Path + name;
            state.File = new OpenFile(state.Path, _inPlace ? finalKey : _stagingPrefix + name, finalKey);
            _openFiles++;
        }

        var rows = state.Rows;
        state.Buffers = null;
        _buffering--;
        _bufferedBytes -= state.Bytes;
        state.Bytes = 0;
        state.Rows = 0;
        // Not cancelled before it starts: an evicted file must still be closed or aborted by it.
        _inFlight = Task.Run(() => WriteRowGroupAsync(state, evicted, buffers, rows, cancellationToken), CancellationToken.None);
    }

    /// <summary>Closes an evicted file, then encodes one row group into the partition's file, opening it first (on the thread pool; one at a time).</summary>
    private async Task WriteRowGroupAsync(PartitionState state, OpenFile? evicted, ColumnBuffer[] buffers, int rows, CancellationToken cancellationToken)
    {
        var file = state.File!;
        try
        {
            if (evicted is not null)
            {
                await CloseAsync(evicted, cancellationToken).ConfigureAwait(false);
            }

            if (file.Parquet is null)
            {
                file.Writer = await _lake.OpenWriteAsync(_zone, file.StagingKey, cancellationToken).ConfigureAwait(false);
                file.Stream = new WriteCountingStream(file.Writer.Stream);
                file.Parquet = new ParquetFileWriter(file.Stream, _parquetColumns);
            }

            await file.Parquet.WriteRowGroupAsync(buffers, rows, _encoder, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                buffer.Reset();
            }

            lock (_spare)
            {
                if (_spare.Count < 2)
                {
                    _spare.Push(buffers);
                }
            }
        }

        file.Rows += rows;
        if (file.Stream!.BytesWritten >= _targetFileBytes)
        {
            // The caller reads state.File only after awaiting this task.
            await CloseFileAsync(state, cancellationToken).ConfigureAwait(false);
        }

    }

    private async Task CloseFileAsync(PartitionState state, CancellationToken cancellationToken)
    {
        if (state.File is not { } file)
        {
            return;
        }

        state.File = null;
        _openFiles--;
        await CloseAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the footer, completes the object (the lake makes it durable) and records the staged file.</summary>
    private async Task CloseAsync(OpenFile file, CancellationToken cancellationToken)
    {
        if (file.Parquet is null)
        {
            return;
        }

        // Disposed however it ends: a writer that was not completed is aborted by the lake.
        var writer = file.Writer!;
        await using (writer.ConfigureAwait(false))
        {
            await file.Parquet.CompleteAsync(_encoder.Primary, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var statistics = file.Parquet.GetStatistics();
        file.Parquet = null;
        _completed.Add(new StagedFile(_zone, file.StagingKey, file.FinalKey, file.PartitionPath, file.Rows, file.Stream!.BytesWritten)
        {
            Statistics = statistics,
        });
    }

    public async ValueTask DisposeAsync()
    {
        // Let a row group in flight end (its error, if any, was or will be reported by the caller's own path),
        // then abandon what is still open: the lake storage aborts writers that were not completed.
        try
        {
            await _inFlight.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The run fails anyway; disposing must not hide the first error.
        }

        foreach (var state in _partitions.Values)
        {
            if (state.File is { Writer: { } writer })
            {
                state.File = null;
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class PartitionState(string path)
    {
        public string Path { get; } = path;

        public ColumnBuffer[]? Buffers { get; set; }

        public int Rows { get; set; }

        public long Bytes { get; set; }

        public long LastUsed { get; set; }

        public OpenFile? File { get; set; }
    }

    /// <summary>A file of a partition: named when decided, opened by the first row group written to it.</summary>
    private sealed class OpenFile(string partitionPath, string stagingKey, string finalKey)
    {
        public string PartitionPath { get; } = partitionPath;

        public string StagingKey { get; } = stagingKey;

        public string FinalKey { get; } = finalKey;

        public ILakeObjectWriter? Writer { get; set; }

        public WriteCountingStream? Stream { get; set; }

        public ParquetFileWriter? Parquet { get; set; }

        public long Rows { get; set; }
    }
}
