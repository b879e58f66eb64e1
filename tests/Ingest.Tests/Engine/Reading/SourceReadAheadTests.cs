using System.Globalization;
using System.Text;
using Ingest.Definitions;
using Ingest.Engine.Reading;

namespace Ingest.Tests.Engine.Reading;

public sealed class SourceReadAheadTests : IDisposable
{
    private static readonly string[] Columns = ["id", "name"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ingest-readahead-" + Guid.NewGuid().ToString("N"));

    public SourceReadAheadTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ReadBatchAsync_ThreeBatchesAndAPartialOne_DeliversEveryRecordInOrderWithItsLine()
    {
        // Multi-line quoted fields and blank lines make the line numbers differ from the record numbers.
        const int Size = SourceReadAhead.DefaultBatchSize;
        const int Partial = (Size / 3) + 1;
        var path = WriteCsv("orders.csv", (3 * Size) + Partial, multiLineEvery: 100, blankLineEvery: 250);
        var expected = await ReadDirectAsync(path);

        var reader = Csv(path);
        var records = new List<(long Line, string?[] Fields)>();
        var sizes = new List<int>();
        var bytes = new List<long>();
        await using (reader)
        {
            await reader.OpenAsync(CancellationToken.None);
            var readAhead = SourceReadAhead.Start(reader, CancellationToken.None);
            await using (readAhead)
            {
                while (await readAhead.ReadBatchAsync(CancellationToken.None) is { } batch)
                {
                    sizes.Add(batch.Count);
                    bytes.Add(readAhead.BytesRead);
                    records.AddRange(batch.Records.Take(batch.Count).Select(r => (r.Line, r.Fields.Take(r.FieldCount).ToArray())));
                }

                readAhead.BytesRead.Should().Be(new FileInfo(path).Length, "every byte was read at the end");
            }
        }

        sizes.Should().Equal(Size, Size, Size, Partial);
        records.Select(r => r.Fields[0]).Should().Equal(Enumerable.Range(1, (3 * Size) + Partial).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        records.Should().BeEquivalentTo(expected.Records, o => o.WithStrictOrdering(), "the same records and lines as reading without read-ahead");
        records[100].Line.Should().BeGreaterThan(102, "lines count the breaks inside quoted fields and the blank lines");
        bytes.Should().BeInAscendingOrder().And.OnlyContain(b => b > 0);
    }

    [Fact]
    public async Task ReadBatchAsync_InvalidUtf8PastTheFirstMegabyte_SurfacesTheReadersErrorAfterTheRecordsBefore()
    {
        // Valid rows for more than one 1 MiB read, then a Latin-1 byte: the reader fails in its second read.
        var path = Path.Combine(_folder, "latin1.csv");
        var text = new StringBuilder("id,name\n");
        var row = 1;
        while (text.Length < 1_500_000)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row},name {row} with some padding to fill the line\n");
            row++;
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString()).Concat(new byte[] { 0x39, 0x2C, 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x0A }).ToArray();
        await File.WriteAllBytesAsync(path, bytes);
        var expected = await ReadDirectAsync(path);
        expected.Error.Should().BeOfType<DataValidationException>().Which.Message.Should().Contain(
            string.Create(CultureInfo.InvariantCulture, $"latin1.csv line {row + 1}: the byte at offset {bytes.Length - 6} is not valid utf-8"));

        var records = new List<(long Line, string?[] Fields)>();
        var reader = Csv(path);
        Func<Task> act = async () =>
        {
            await using (reader)
            {
                await reader.OpenAsync(CancellationToken.None);
                await using var readAhead = SourceReadAhead.Start(reader, CancellationToken.None);
                while (await readAhead.ReadBatchAsync(CancellationToken.None) is { } batch)
                {
                    records.AddRange(batch.Records.Take(batch.Count).Select(r => (r.Line, r.Fields.Take(r.FieldCount).ToArray())));
                }
            }
        };

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Be(expected.Error!.Message);
        error.Line.Should().Be(row + 1);
        expected.Records.Count.Should().BeGreaterThan(3 * SourceReadAhead.DefaultBatchSize, "the records before the error span several batches");
        records.Should().BeEquivalentTo(expected.Records, o => o.WithStrictOrdering(), "every record before the error was handed on first");
    }

    [Fact]
    public async Task ReadBatchAsync_ReaderThrowsInsideABatch_DeliversThePartialBatchThenTheSameException()
    {
        var failure = new DataValidationException("s.csv line 2502: broken") { Line = 2502 };
        var reader = new ScriptedReader(records: 2500, failure);
        var sizes = new List<int>();
        var lines = new List<long>();
        var readAhead = SourceReadAhead.Start(reader, batchSize: 1024, capacity: 3, CancellationToken.None);
        Exception? caught = null;
        await using (readAhead)
        {
            try
            {
                while (await readAhead.ReadBatchAsync(CancellationToken.None) is { } batch)
                {
                    sizes.Add(batch.Count);
                    lines.AddRange(batch.Records.Take(batch.Count).Select(r => r.Line));
                }
            }
            catch (DataValidationException ex)
            {
                caught = ex;
            }
        }

        caught.Should().BeSameAs(failure);
        sizes.Should().Equal(1024, 1024, 452);
        lines.Should().Equal(Enumerable.Range(1, 2500).Select(i => (long)i));
    }

    [Fact]
    public async Task DisposeAsync_ConsumerThrowsMidway_StopsTheProducerBeforeTheReaderIsDisposedAndClosesTheFile()
    {
        var path = WriteCsv("big.csv", 20_000);
        var reader = new TrackingReader(Csv(path));
        var handlesWhileReading = -1;
        Func<Task> act = async () =>
        {
            await using (reader)
            {
                await reader.OpenAsync(CancellationToken.None);
                handlesWhileReading = OpenHandles(path);
                var readAhead = SourceReadAhead.Start(reader, batchSize: 64, capacity: 2, CancellationToken.None);
                await using (readAhead)
                {
                    (await readAhead.ReadBatchAsync(CancellationToken.None)).Should().NotBeNull();
                    (await readAhead.ReadBatchAsync(CancellationToken.None)).Should().NotBeNull();
                    throw new InvalidOperationException("a quality rule with action fail");
                }
            }
        };

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("a quality rule with action fail");
        reader.Misused.Should().BeFalse("the reader is never read concurrently, nor after or while it is disposed");
        reader.Disposed.Should().BeTrue();
        reader.Records.Should().BeLessThanOrEqualTo(6 * 64, "the producer stops: 2 consumed, 2 waiting, 1 being filled (one recycled)");
        handlesWhileReading.Should().Be(1);
        OpenHandles(path).Should().Be(0, "the input is closed once the stage and the reader are disposed");
        File.Delete(path);
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public async Task ReadBatchAsync_Cancelled_ThrowsAndDisposeStopsTheProducer()
    {
        var path = WriteCsv("cancel.csv", 20_000);
        var reader = new TrackingReader(Csv(path));
        using var cancellation = new CancellationTokenSource();
        Func<Task> act = async () =>
        {
            await using (reader)
            {
                await reader.OpenAsync(cancellation.Token);
                var readAhead = SourceReadAhead.Start(reader, batchSize: 64, capacity: 2, cancellation.Token);
                await using (readAhead)
                {
                    (await readAhead.ReadBatchAsync(cancellation.Token)).Should().NotBeNull();
                    await cancellation.CancelAsync();
                    while (await readAhead.ReadBatchAsync(cancellation.Token) is not null)
                    {
                        // Batches already waiting may still be handed over; the cancellation surfaces at the latest when they are gone.
                    }
                }
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        reader.Misused.Should().BeFalse();
        reader.Disposed.Should().BeTrue();
        reader.Records.Should().BeLessThan(20_000, "the producer stopped early");
        OpenHandles(path).Should().Be(0);
    }

    [Theory]
    [InlineData(8, 2)]
    [InlineData(8, 8)]
    [InlineData(1, 5)]
    public async Task ReadBatchAsync_SlowConsumer_DeliversEverythingThroughAFewRecycledBatches(int batchSize, int capacity)
    {
        var path = WriteCsv("many.csv", 5_000);
        var reader = Csv(path);
        var seen = new HashSet<SourceBatch>(ReferenceEqualityComparer.Instance);
        var ids = new List<int>();
        await using (reader)
        {
            await reader.OpenAsync(CancellationToken.None);
            var readAhead = SourceReadAhead.Start(reader, batchSize, capacity, CancellationToken.None);
            await using (readAhead)
            {
                while (await readAhead.ReadBatchAsync(CancellationToken.None) is { } batch)
                {
                    seen.Add(batch);
                    ids.AddRange(batch.Records.Take(batch.Count).Select(r => int.Parse(r.Fields[0]!, CultureInfo.InvariantCulture)));
                    await Task.Yield(); // let the producer run ahead as far as it may
                }

                readAhead.BatchesCreated.Should().BeLessThanOrEqualTo(capacity + 2, "the channel's capacity + one being filled + the consumer's");
            }
        }

        ids.Should().Equal(Enumerable.Range(1, 5_000));
        seen.Count.Should().BeLessThanOrEqualTo(capacity + 2, $"{5_000 / batchSize} batches went through the same few objects");
    }

    [Fact]
    public async Task ReadBatchAsync_SlowConsumer_TheReadingTaskTakesOverConversionUpToEveryColumn()
    {
        var calls = new List<int>();
        var reader = new ScriptedReader(3_000, null);
        var readAhead = SourceReadAhead.Start(reader, 16, 8, (_, columns) => calls.Add(columns), maxPrepared: 6, CancellationToken.None);
        var prepared = new List<int>();
        var expectedCalls = 0;
        await using (readAhead)
        {
            while (await readAhead.ReadBatchAsync(CancellationToken.None) is { } batch)
            {
                prepared.Add(batch.PreparedColumns);
                expectedCalls += batch.PreparedColumns > 0 ? batch.Count : 0;
                await Task.Delay(2); // the consumer is the slow side
            }
        }

        prepared[0].Should().Be(3, "it starts with half the columns");
        prepared.Should().Contain(6).And.OnlyContain(p => p >= 0 && p <= 6);
        prepared.TakeLast(20).Should().OnlyContain(p => p == 6, "a consumer that never waits gets every column converted for it");
        calls.Should().HaveCount(expectedCalls, "each record of a batch with prepared columns is prepared once, with the batch's count");
        calls.Where(c => c != 6).Should().HaveCountLessThan(calls.Count / 2);
    }

    [Fact]
    public async Task ReadBatchAsync_SlowReader_TheConsumerTakesBackEveryColumn()
    {
        var reader = new ScriptedReader(400, null) { Delay = TimeSpan.FromMilliseconds(1) };
        var readAhead = SourceReadAhead.Start(reader, 8, 8, (_, _) => { }, maxPrepared: 6, CancellationToken.None);
        var prepared = new List<int>();
        await using (readAhead)
        {
            while (await readAhead.ReadBatchAsync(CancellationToken.None) is { } batch)
            {
                prepared.Add(batch.PreparedColumns);
            }
        }

        prepared.Should().HaveCount(50);
        prepared[^1].Should().Be(0, "a consumer that always waits hands every column back");
        readAhead.PreparedColumns.Should().Be(0);
    }

    [Fact]
    public async Task ReadBatchAsync_HeaderOnlyCsv_ReturnsNullWithEveryByteCounted()
    {
        var path = Path.Combine(_folder, "empty.csv");
        await File.WriteAllTextAsync(path, "id,name\r\n\r\n");
        var reader = new TrackingReader(Csv(path));
        await using (reader)
        {
            await reader.OpenAsync(CancellationToken.None);
            var readAhead = SourceReadAhead.Start(reader, CancellationToken.None);
            await using (readAhead)
            {
                (await readAhead.ReadBatchAsync(CancellationToken.None)).Should().BeNull();
                (await readAhead.ReadBatchAsync(CancellationToken.None)).Should().BeNull("the end stays the end");
                readAhead.BytesRead.Should().Be(11);
            }
        }

        reader.Records.Should().Be(0);
        reader.Misused.Should().BeFalse();
    }

    [Fact]
    public async Task ReadBatchAsync_EmptyJsonLinesFile_ReturnsNull()
    {
        var path = Path.Combine(_folder, "empty.jsonl");
        await File.WriteAllBytesAsync(path, []);
        var reader = new JsonLinesSourceReader("empty.jsonl", new SourceDefinition { Format = SourceFormat.JsonLines }, Columns, _ => Task.FromResult<Stream>(File.OpenRead(path)));
        await using (reader)
        {
            await reader.OpenAsync(CancellationToken.None);
            await using var readAhead = SourceReadAhead.Start(reader, CancellationToken.None);
            (await readAhead.ReadBatchAsync(CancellationToken.None)).Should().BeNull();
            readAhead.BytesRead.Should().Be(0);
        }
    }

    [Fact]
    public async Task Start_InvalidSizes_Throw()
    {
        var reader = new ScriptedReader(records: 1, failure: null);
        var zeroBatch = () => SourceReadAhead.Start(reader, batchSize: 0, capacity: 2, CancellationToken.None);
        var zeroCapacity = () => SourceReadAhead.Start(reader, batchSize: 8, capacity: 0, CancellationToken.None);

        zeroBatch.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("batchSize");
        zeroCapacity.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("capacity");
        await reader.DisposeAsync();
    }

    private static CsvSourceReader Csv(string path)
        => new(Path.GetFileName(path), new SourceDefinition { Format = SourceFormat.Csv }, Columns, _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.Asynchronous)));

    private static async Task<(List<(long Line, string?[] Fields)> Records, Exception? Error)> ReadDirectAsync(string path)
    {
        var records = new List<(long, string?[])>();
        var reader = Csv(path);
        await using (reader)
        {
            try
            {
                await reader.OpenAsync(CancellationToken.None);
                var record = new SourceRecord(2);
                while (await reader.ReadAsync(record, CancellationToken.None))
                {
                    records.Add((record.Line, record.Fields.Take(record.FieldCount).ToArray()));
                }
            }
            catch (DataValidationException ex)
            {
                return (records, ex);
            }
        }

        return (records, null);
    }

    private string WriteCsv(string name, int rows, int multiLineEvery = 0, int blankLineEvery = 0)
    {
        var path = Path.Combine(_folder, name);
        var text = new StringBuilder("id,name\r\n");
        for (var i = 1; i <= rows; i++)
        {
            var value = multiLineEvery > 0 && i % multiLineEvery == 0 ? $"\"first line {i}\r\nsecond, \"\"quoted\"\"\"" : $"name {i}";
            text.Append(CultureInfo.InvariantCulture, $"{i},{value}\r\n");
            if (blankLineEvery > 0 && i % blankLineEvery == 0)
            {
                text.Append("\r\n");
            }
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        return path;
    }

    /// <summary>The number of this process's open file descriptors on the file (Linux: /proc/self/fd; elsewhere an exclusive open tells).</summary>
    private static int OpenHandles(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var full = Path.GetFullPath(path);
            return Directory.EnumerateFileSystemEntries("/proc/self/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Count(target => target == full);
        }

        try
        {
            using var exclusive = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return 0;
        }
        catch (IOException)
        {
            return 1;
        }
    }

    /// <summary>Wraps a real reader and records misuse: reads that overlap, or come during or after disposal.</summary>
    private sealed class TrackingReader(ISourceReader inner) : ISourceReader
    {
        private int _inFlight;
        private int _records;
        private volatile bool _misused;
        private volatile bool _disposed;

        public IReadOnlyList<string> Header => inner.Header;

        public IReadOnlyCollection<string> FileColumns => inner.FileColumns;

        public long BytesRead => inner.BytesRead;

        public int Records => Volatile.Read(ref _records);

        public bool Misused => _misused;

        public bool Disposed => _disposed;

        public Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

        public async ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _inFlight) != 1 || _disposed)
            {
                _misused = true;
            }

            try
            {
                var more = await inner.ReadAsync(record, cancellationToken);
                if (more)
                {
                    Interlocked.Increment(ref _records);
                }

                return more;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            if (Volatile.Read(ref _inFlight) != 0)
            {
                _misused = true;
            }

            await inner.DisposeAsync();
        }
    }

    /// <summary>Gives numbered records, then fails with the given exception (or ends).</summary>
    private sealed class ScriptedReader(int records, Exception? failure) : ISourceReader
    {
        private int _next;

        /// <summary>Gets or sets a pause before each record (a slow source).</summary>
        public TimeSpan Delay { get; init; }

        public IReadOnlyList<string> Header => Columns;

        public IReadOnlyCollection<string> FileColumns => Columns;

        public long BytesRead => _next;

        public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken)
            => Delay > TimeSpan.Zero ? SlowReadAsync(record, cancellationToken) : Next(record);

        private async ValueTask<bool> SlowReadAsync(SourceRecord record, CancellationToken cancellationToken)
        {
            // Waits without holding a thread, so the consumer is never starved of one.
            await Task.Delay(Delay, cancellationToken);
            return await Next(record);
        }

        private ValueTask<bool> Next(SourceRecord record)
        {
            if (_next == records)
            {
                return failure is null ? ValueTask.FromResult(false) : ValueTask.FromException<bool>(failure);
            }

            _next++;
            record.Reset(_next);
            record.Add(_next.ToString(CultureInfo.InvariantCulture));
            record.Add("x");
            return ValueTask.FromResult(true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
