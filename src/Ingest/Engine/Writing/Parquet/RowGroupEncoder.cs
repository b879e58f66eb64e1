using Ingest.Definitions;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>
/// Encodes the column chunks of a row group, on two tasks when the machine has more than one core: the
/// caller's task encodes the first columns and hands each chunk on as it is done, a second task encodes the
/// others meanwhile into buffers kept between row groups, handed on after them. The output is the same
/// either way (each chunk is encoded by one encoder alone, in column order); what changes is that the last
/// row group of a run, encoded after the input has ended, takes about half as long.
/// </summary>
internal sealed class RowGroupEncoder
{
    private readonly ColumnChunkEncoder? _second;
    private readonly List<ByteBuffer> _kept = [];
    private readonly List<ColumnChunkInfo> _keptInfo = [];

    public RowGroupEncoder(ParquetCompression compression, bool parallel)
    {
        Primary = new ColumnChunkEncoder(compression);
        _second = parallel ? new ColumnChunkEncoder(compression) : null;
    }

    /// <summary>Gets the encoder of the caller's task (also the one that writes footers).</summary>
    public ColumnChunkEncoder Primary { get; }

    /// <summary>Encodes every column of the row group and calls <paramref name="write"/> for each chunk, in column order.</summary>
    public async ValueTask EncodeAsync(
        IReadOnlyList<ParquetColumn> columns, ColumnBuffer[] buffers, Func<ColumnChunkInfo, ReadOnlyMemory<byte>, ValueTask> write)
    {
        var split = _second is null ? columns.Count : Split(buffers);
        Task? second = null;
        if (split < columns.Count)
        {
            second = Task.Run(() => EncodeKept(columns, buffers, split));
        }

        try
        {
            for (var c = 0; c < split; c++)
            {
                var info = Primary.Encode(columns[c], buffers[c]);
                await write(info, Primary.Chunk.Memory).ConfigureAwait(false);
            }
        }
        finally
        {
            // Never return (and let the caller reuse the buffers) while the second task still reads them.
            if (second is not null)
            {
                await second.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _ = second.Exception; // observed, also when the first half failed and its error is the one thrown
            }
        }

        if (second is not null)
        {
            await second.ConfigureAwait(false);
            for (var c = split; c < columns.Count; c++)
            {
                await write(_keptInfo[c - split], _kept[c - split].Memory).ConfigureAwait(false);
            }
        }
    }

    private void EncodeKept(IReadOnlyList<ParquetColumn> columns, ColumnBuffer[] buffers, int split)
    {
        _keptInfo.Clear();
        for (var c = split; c < columns.Count; c++)
        {
            var k = c - split;
            if (_kept.Count == k)
            {
                _kept.Add(new ByteBuffer(1 << 16));
            }

            _keptInfo.Add(_second!.Encode(columns[c], buffers[c]));
            _kept[k].Clear();
            _kept[k].Write(_second.Chunk.Span);
        }
    }

    /// <summary>The first column of the second half: the halves about equal in buffered bytes.</summary>
    private static int Split(ColumnBuffer[] buffers)
    {
        long total = 0;
        foreach (var buffer in buffers)
        {
            total += buffer.EstimatedBytes;
        }

        long sum = 0;
        for (var c = 0; c < buffers.Length; c++)
        {
            sum += buffers[c].EstimatedBytes;
            if (sum * 2 >= total)
            {
                return Math.Max(1, c + 1);
            }
        }

        return buffers.Length;
    }
}
