using System.Globalization;
using System.Text.Json;
using FluentAssertions;
using Ingest.Definitions;
using Ingest.Engine;
using Parquet;
using Xunit;

namespace Ingest.Testing;

/// <summary>A row of the suite's source table (<see cref="SourceExtractorContractTests.CreateTableAsync"/>).</summary>
/// <param name="Id">The key (<c>id</c>, bigint).</param>
/// <param name="Name">Text (<c>name</c>).</param>
/// <param name="Amount">A decimal(18,2) (<c>amount</c>).</param>
/// <param name="Qty">A 32-bit integer (<c>qty</c>).</param>
/// <param name="Ok">A boolean (<c>ok</c>).</param>
/// <param name="Day">A date (<c>day</c>).</param>
/// <param name="ChangedAt">The cursor (<c>changed_at</c>, a timestamp without time zone, whole seconds), never null.</param>
public sealed record SourceExtractorContractRow(long Id, string? Name, decimal? Amount, int? Qty, bool? Ok, DateOnly? Day, DateTime ChangedAt);

/// <summary>
/// The behaviour every <see cref="ISourceExtractor"/> must show (the contract of its remarks): the window above the watermark
/// up to an upper bound fixed before the first row is read (the largest cursor value at the start, minus <c>cursor.lag</c>),
/// the watermark returned for the run to commit, an empty window written as no rows, each column kind converted to its
/// schema type, and bounds compared as values. Derive a class in a test project against a real database: create the
/// suite's table, insert its rows, and return the extractor that reads <see cref="Connection"/>.
/// </summary>
public abstract class SourceExtractorContractTests
{
    private static readonly DateTime T0 = new(2024, 5, 1, 8, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Gets the database product the derived class runs against.</summary>
    protected abstract DatabaseProvider Provider { get; }

    /// <summary>Gets the connection name the extractor resolves to that database.</summary>
    protected abstract string Connection { get; }

    /// <summary>
    /// Creates an empty table <paramref name="table"/> with the columns of <see cref="SourceExtractorContractRow"/>:
    /// <c>id</c> (64-bit integer, key), <c>name</c> (text), <c>amount</c> (decimal(18,2)), <c>qty</c> (32-bit integer),
    /// <c>ok</c> (boolean), <c>day</c> (date), <c>changed_at</c> (timestamp, not null), in the database's own types.
    /// </summary>
    protected abstract Task CreateTableAsync(string table);

    /// <summary>Inserts rows into <paramref name="table"/> (committed when the call returns), on a connection of its own.</summary>
    protected abstract Task InsertAsync(string table, IReadOnlyList<SourceExtractorContractRow> rows);

    /// <summary>Returns the extractor under test.</summary>
    protected abstract ISourceExtractor CreateExtractor();

    /// <summary>The first extraction writes every row, each column converted to its schema type, and returns a watermark.</summary>
    [Fact]
    public async Task ExtractAsync_FirstRun_WritesEveryRow_EachColumnKindTyped_AndReturnsAWatermark()
    {
        var table = await TableAsync(Rows());

        var (result, rows) = await ExtractAsync(Definition(table), null);

        result.Rows.Should().Be(3);
        result.Name.Should().NotBeNullOrWhiteSpace();
        result.Watermark.Should().NotBeNullOrEmpty("a cursor source returns the upper bound to commit");
        rows.Should().HaveCount(3);
        rows[1].Should().Equal(1L, "Ada", 12.50m, 3, true, new DateOnly(2024, 5, 1), T0);
        rows[2].Should().Equal(2L, "Grace O'Neil", -0.01m, -4, false, new DateOnly(1999, 12, 31), T0.AddSeconds(1));
        rows[3].Should().Equal(3L, null, null, null, null, null, T0.AddSeconds(2));
    }

    /// <summary>From the returned watermark, the next extraction writes only rows above it, and returns a later watermark.</summary>
    [Fact]
    public async Task ExtractAsync_FromTheWatermark_WritesOnlyNewerRows()
    {
        var table = await TableAsync(Rows());
        var definition = Definition(table);
        var (first, _) = await ExtractAsync(definition, null);
        await InsertAsync(table, [Row(4, T0.AddHours(1)), Row(5, T0.AddHours(1).AddSeconds(1))]);

        var (second, rows) = await ExtractAsync(definition, first.Watermark);

        rows.Keys.Should().BeEquivalentTo([4L, 5L]);
        second.Rows.Should().Be(2);
        second.Watermark.Should().NotBeNull().And.NotBe(first.Watermark);
    }

    /// <summary>A window with nothing in it (no rows above the watermark, or an empty table) writes no rows and moves no watermark.</summary>
    [Fact]
    public async Task ExtractAsync_EmptyWindow_WritesNoRows_AndKeepsTheWatermark()
    {
        var table = await TableAsync(Rows());
        var definition = Definition(table);
        var (first, _) = await ExtractAsync(definition, null);
        var empty = await TableAsync([]);

        var (again, rows) = await ExtractAsync(definition, first.Watermark);
        var (none, noRows) = await ExtractAsync(Definition(empty), null);

        again.Rows.Should().Be(0);
        rows.Should().BeEmpty();
        again.Watermark.Should().BeOneOf([null, first.Watermark], "an empty window moves no watermark");
        none.Rows.Should().Be(0);
        noRows.Should().BeEmpty();
        none.Watermark.Should().BeNull("an empty table has no cursor value to commit");
    }

    /// <summary>
    /// With <c>cursor.lag</c>, the upper bound stays that far below the largest value: the newest rows wait for a later run,
    /// which extracts them once the bound has passed them.
    /// </summary>
    [Fact]
    public async Task ExtractAsync_Lag_KeepsTheNewestRowsForALaterRun()
    {
        var table = await TableAsync([Row(1, T0), Row(2, T0.AddSeconds(10)), Row(3, T0.AddSeconds(120))]);
        var definition = Definition(table, lag: 60);

        var (first, firstRows) = await ExtractAsync(definition, null);
        var (unchanged, unchangedRows) = await ExtractAsync(definition, first.Watermark);
        await InsertAsync(table, [Row(4, T0.AddSeconds(300))]);
        var (later, laterRows) = await ExtractAsync(definition, first.Watermark);

        firstRows.Keys.Should().BeEquivalentTo([1L, 2L], "the bound is 60 s below the largest value, before row 3");
        unchangedRows.Should().BeEmpty("the bound has not moved");
        unchanged.Rows.Should().Be(0);
        laterRows.Keys.Should().BeEquivalentTo([3L], "the bound moved to 60 s below row 4");
        later.Watermark.Should().NotBe(first.Watermark);
    }

    /// <summary>The upper bound is fixed before the first row is read: a row committed during the extraction waits for the next run.</summary>
    [Fact]
    public async Task ExtractAsync_RowCommittedDuringTheExtraction_WaitsForTheNextRun()
    {
        var table = await TableAsync(Rows());
        var definition = Definition(table);
        var destination = new HookedStream(() => InsertAsync(table, [Row(9, T0.AddMinutes(10))]));

        var first = await CreateExtractor().ExtractAsync(Request(definition, null), destination);
        var firstRows = await ReadAsync(first, destination.ToArray());
        var (_, next) = await ExtractAsync(definition, first.Watermark);

        destination.Hooked.Should().BeTrue("the extract was written");
        firstRows.Keys.Should().BeEquivalentTo([1L, 2L, 3L], "row 9 came after the window was fixed");
        next.Keys.Should().BeEquivalentTo([9L]);
    }

    /// <summary>
    /// Bounds are values, never SQL: a watermark with SQL in it is refused with an <see cref="IngestException"/> naming the
    /// dataset, or compared as a value — it never widens the window to rows at or below the watermark.
    /// </summary>
    [Fact]
    public async Task ExtractAsync_WatermarkHoldingSql_IsAValue()
    {
        var table = await TableAsync([Row(1, T0)]);
        var definition = Definition(table);
        var (first, _) = await ExtractAsync(definition, null);
        await InsertAsync(table, [Row(2, T0.AddSeconds(1)), Row(3, T0.AddSeconds(2))]);

        Dictionary<long, object?[]>? rows = null;
        IngestException? refused = null;
        try
        {
            (_, rows) = await ExtractAsync(definition, first.Watermark + "' OR '1'='1");
        }
        catch (IngestException ex)
        {
            refused = ex;
        }

        if (refused is not null)
        {
            refused.Message.Should().Contain(definition.Id.ToString());
        }
        else
        {
            rows!.Keys.Should().NotContain(1L, "the row at the watermark is below the window");
        }
    }

    /// <summary>A cancelled token makes the extraction throw <see cref="OperationCanceledException"/>.</summary>
    [Fact]
    public async Task ExtractAsync_CancelledToken_Throws()
    {
        var table = await TableAsync(Rows());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => CreateExtractor().ExtractAsync(Request(Definition(table), null), new MemoryStream(), cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>The definition the suite extracts <paramref name="table"/> with: a column of each kind, <c>changed_at</c> as cursor.</summary>
    protected DatasetDefinition Definition(string table, long lag = 0) => IngestTestData.Definition(
        IngestTestData.NewDatasetId("contract"),
        IngestTestData.ColumnsOfEachKind(IngestTestData.Column("changed_at", ColumnType.Timestamp, nullable: false))) with
    {
        Source = new SourceDefinition
        {
            Format = SourceFormat.Database,
            Database = new DatabaseSourceSettings
            {
                Connection = Connection,
                Provider = Provider,
                Table = table,
                Cursor = new DatabaseCursor { Column = "changed_at", Lag = lag },
            },
        },
    };

    private static IReadOnlyList<SourceExtractorContractRow> Rows() =>
    [
        new(1, "Ada", 12.50m, 3, true, new DateOnly(2024, 5, 1), T0),
        new(2, "Grace O'Neil", -0.01m, -4, false, new DateOnly(1999, 12, 31), T0.AddSeconds(1)),
        new(3, null, null, null, null, null, T0.AddSeconds(2)),
    ];

    private static SourceExtractorContractRow Row(long id, DateTime changedAt) => new(id, "row " + id.ToString(CultureInfo.InvariantCulture), id, (int)id, id % 2 == 0, new DateOnly(2024, 6, 1), changedAt);

    private async Task<string> TableAsync(IReadOnlyList<SourceExtractorContractRow> rows)
    {
        var table = "contract_" + Guid.NewGuid().ToString("N")[..10];
        await CreateTableAsync(table);
        if (rows.Count > 0)
        {
            await InsertAsync(table, rows);
        }

        return table;
    }

    private static SourceExtractRequest Request(DatasetDefinition definition, string? watermark)
        => new() { Definition = definition, RunId = "contract-" + Guid.NewGuid().ToString("N")[..8], Watermark = watermark };

    private async Task<(SourceExtractResult Result, Dictionary<long, object?[]> Rows)> ExtractAsync(DatasetDefinition definition, string? watermark)
    {
        using var destination = new MemoryStream();
        var result = await CreateExtractor().ExtractAsync(Request(definition, watermark), destination);
        return (result, await ReadAsync(result, destination.ToArray()));
    }

    /// <summary>Reads an extract into rows by id, each in schema order as CLR values of the schema types.</summary>
    private static async Task<Dictionary<long, object?[]>> ReadAsync(SourceExtractResult result, byte[] bytes)
    {
        var names = new[] { "id", "name", "amount", "qty", "ok", "day", "changed_at" };
        var rows = new Dictionary<long, object?[]>();
        if (result.Rows == 0 && bytes.Length == 0)
        {
            return rows;
        }

        if (result.Format == SourceFormat.JsonLines)
        {
            foreach (var line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var json = JsonDocument.Parse(line);
                var row = names.Select(n => json.RootElement.TryGetProperty(n, out var v) ? FromJson(n, v) : null).ToArray();
                rows.Add((long)row[0]!, row);
            }
        }
        else
        {
            result.Format.Should().Be(SourceFormat.Parquet, "an extract is Parquet or JSON Lines");
            using var stream = new MemoryStream(bytes);
            await using var reader = await ParquetReader.CreateAsync(stream, Ingest.Engine.Reading.ParquetColumns.ReadOptions);
            var fields = reader.Schema.GetDataFields();
            fields.Select(f => f.Name).Should().Contain(names, "one field per schema column, named by its source column");
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var columns = new object?[names.Length][];
                for (var c = 0; c < names.Length; c++)
                {
                    columns[c] = await Ingest.Engine.Reading.ParquetColumns.ReadAsync(group, fields.Single(f => f.Name == names[c]), CancellationToken.None);
                }

                for (var r = 0; r < columns[0].Length; r++)
                {
                    var row = columns.Select(c => Normalize(c[r])).ToArray();
                    rows.Add((long)row[0]!, row);
                }
            }
        }

        rows.Count.Should().Be((int)result.Rows, "the result counts the rows written");
        return rows;
    }

    /// <summary>Timestamps compare without their kind (the extract holds the source's wall-clock time).</summary>
    private static object? Normalize(object? value) => value is DateTime t ? DateTime.SpecifyKind(t, DateTimeKind.Unspecified) : value;

    private static object? FromJson(string column, JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : column switch
    {
        "id" => value.GetInt64(),
        "name" => value.GetString(),
        "amount" => value.ValueKind == JsonValueKind.String ? decimal.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDecimal(),
        "qty" => value.GetInt32(),
        "ok" => value.GetBoolean(),
        "day" => DateOnly.ParseExact(value.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => DateTime.SpecifyKind(DateTime.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), DateTimeKind.Unspecified),
    };

    /// <summary>A destination that runs a hook (once, to completion) before its first write is taken.</summary>
    private sealed class HookedStream(Func<Task> hook) : MemoryStream
    {
        public bool Hooked { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Hook();
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Hook();
            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Hook();
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Hook();
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override void WriteByte(byte value)
        {
            Hook();
            base.WriteByte(value);
        }

        private void Hook()
        {
            if (!Hooked)
            {
                Hooked = true;
                Task.Run(hook).GetAwaiter().GetResult();
            }
        }
    }
}
