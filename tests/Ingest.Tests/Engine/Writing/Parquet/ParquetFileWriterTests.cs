using System.Globalization;
using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Ingest.Engine.Reading;
using Ingest.Tests.Engine;
using Ingest.Engine.Writing;
using Ingest.Engine.Writing.Parquet;
using Parquet;
using Parquet.Schema;

namespace Ingest.Tests.Engine.Writing.Parquet;

/// <summary>
/// Ingest's own Parquet writer, checked only by independent readers: every file is read back with DuckDB
/// and with Parquet.Net, value by value, across types, nulls, extremes, codecs, pages, row groups and
/// encodings (plain, delta, dictionary), and its footer statistics are read with DuckDB's parquet_metadata.
/// </summary>
public sealed class ParquetFileWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ingest-parquet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly ColumnDefinition[] AllTypes =
    [
        new() { Name = "s", Type = ColumnType.String },
        new() { Name = "b", Type = ColumnType.Boolean },
        new() { Name = "i", Type = ColumnType.Int32 },
        new() { Name = "l", Type = ColumnType.Int64 },
        new() { Name = "f", Type = ColumnType.Float },
        new() { Name = "d", Type = ColumnType.Double },
        new() { Name = "m", Type = ColumnType.Decimal(18, 2) },
        new() { Name = "small", Type = ColumnType.Decimal(9, 3) },
        new() { Name = "wide", Type = ColumnType.Decimal(28, 6) },
        new() { Name = "day", Type = ColumnType.Date },
        new() { Name = "ts", Type = ColumnType.Timestamp },
    ];

    public static TheoryData<ParquetCompression> Codecs => [ParquetCompression.Snappy, ParquetCompression.Zstd, ParquetCompression.Gzip, ParquetCompression.None];

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Write_EveryTypeWithNullsAndExtremes_ReadBackUnchangedByDuckDbAndParquetNet(ParquetCompression codec)
    {
        var rows = AllTypesRows(3_000);

        var path = await WriteAsync(AllTypes, rows, codec, rowGroupRows: 1_000);

        AssertSameRows(ReadWithDuckDb(path, AllTypes), rows, AllTypes);
        AssertSameRows(await ReadWithParquetNetAsync(path), rows, AllTypes);
    }

    [Fact]
    public async Task Write_ManyPagesAndRowGroups_DeltaAndDictionaryAcrossBoundaries_ReadBackUnchanged()
    {
        ColumnDefinition[] columns =
        [
            new() { Name = "id", Type = ColumnType.Int64 },
            new() { Name = "n", Type = ColumnType.Int32 },
            new() { Name = "code", Type = ColumnType.String },
            new() { Name = "name", Type = ColumnType.String },
            new() { Name = "ts", Type = ColumnType.Timestamp },
        ];
        var random = new Random(7);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, 250_000).Select(i => new object?[]
        {
            i % 1_000 == 999 ? null : (long)i * 3 - 100_000,
            random.Next(int.MinValue, int.MaxValue),
            i % 97 == 0 ? null : $"C{i % 7}",
            $"customer-{random.Next(1_000_000):D7}",
            start.AddTicks((long)i * 13 * TimeSpan.TicksPerSecond + (random.Next(1_000_000) * 10L)),
        }).ToList();

        var path = await WriteAsync(columns, rows, ParquetCompression.Snappy, rowGroupRows: 100_000);

        AssertSameRows(ReadWithDuckDb(path, columns), rows, columns);
        AssertSameRows(await ReadWithParquetNetAsync(path), rows, columns);
        var meta = EngineHarness.Query($"SELECT path_in_schema, encodings, count(*) FROM parquet_metadata('{path}') GROUP BY ALL ORDER BY 1");
        meta.Should().ContainEquivalentOf(new object?[] { "code", "PLAIN, RLE, RLE_DICTIONARY", 3L }, "few distinct codes are dictionary-encoded");
        meta.Should().ContainEquivalentOf(new object?[] { "name", "PLAIN, RLE", 3L }, "distinct names are written plain");
        meta.Should().ContainEquivalentOf(new object?[] { "id", "DELTA_BINARY_PACKED, RLE", 3L });
        var pages = EngineHarness.Query($"SELECT count(*) FROM parquet_metadata('{path}') WHERE path_in_schema = 'name'");
        pages[0][0].Should().Be(3L, "one chunk per row group");
    }

    [Fact]
    public async Task Write_Statistics_AreTheChunksMinMaxAndNullCount()
    {
        ColumnDefinition[] columns =
        [
            new() { Name = "l", Type = ColumnType.Int64 },
            new() { Name = "m", Type = ColumnType.Decimal(18, 2) },
            new() { Name = "s", Type = ColumnType.String },
            new() { Name = "ts", Type = ColumnType.Timestamp },
            new() { Name = "nothing", Type = ColumnType.Double },
        ];
        List<object?[]> rows =
        [
            [5L, -12.5m, "pear", new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), null],
            [null, 99.99m, "apple", new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc), null],
            [-7L, null, "zucchini", null, null],
            [12L, 0m, null, new DateTime(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc), null],
        ];

        var path = await WriteAsync(columns, rows, ParquetCompression.Snappy, rowGroupRows: 100);

        var stats = EngineHarness.Query($"SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('{path}') ORDER BY column_id");
        stats.Should().BeEquivalentTo(
            new List<object?[]>
            {
                new object?[] { "l", "-7", "12", 1L },
                new object?[] { "m", "-12.50", "99.99", 1L },
                new object?[] { "s", "apple", "zucchini", 1L },
                new object?[] { "ts", "2023-01-02 03:04:05+00", "2025-12-31 23:59:59+00", 1L },
                new object?[] { "nothing", null, null, 4L },
            },
            o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Zstd)]
    public async Task Write_ChunksEncodedOnTwoTasks_GiveTheSameBytesAsOnOne(ParquetCompression codec)
    {
        var rows = AllTypesRows(20_000);

        var one = await WriteAsync(AllTypes, rows, codec, rowGroupRows: 3_000, parallel: false);
        var two = await WriteAsync(AllTypes, rows, codec, rowGroupRows: 3_000, parallel: true);

        (await File.ReadAllBytesAsync(two)).Should().Equal(await File.ReadAllBytesAsync(one));
    }

    [Fact]
    public async Task Write_NoRowGroups_IsAValidEmptyFile()
    {
        var path = await WriteAsync(AllTypes, [], ParquetCompression.Snappy, rowGroupRows: 10);

        EngineHarness.Query($"SELECT count(*) FROM read_parquet('{path}')")[0][0].Should().Be(0L);
        (await ReadWithParquetNetAsync(path)).Should().BeEmpty();
        var types = EngineHarness.Query($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))");
        types.Select(t => $"{t[0]} {t[1]}").Should().Equal(
            "s VARCHAR", "b BOOLEAN", "i INTEGER", "l BIGINT", "f FLOAT", "d DOUBLE", "m DECIMAL(18,2)", "small DECIMAL(9,3)",
            "wide DECIMAL(28,6)", "day DATE", "ts TIMESTAMP WITH TIME ZONE");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(9, 4)]
    [InlineData(10, 5)]
    [InlineData(18, 8)]
    [InlineData(19, 9)]
    [InlineData(28, 12)]
    public void DecimalBytes_IsTheSmallestTwosComplementWidth(int precision, int bytes)
        => ParquetColumn.DecimalBytes(precision).Should().Be(bytes);

    private static List<object?[]> AllTypesRows(int count)
    {
        var random = new Random(42);
        var rows = new List<object?[]>
        {
            // Extremes first, then nulls everywhere, then values.
            new object?[] { "", false, int.MinValue, long.MinValue, float.NegativeInfinity, double.NaN, -9_999_999_999_999_999.99m, -999_999.999m, -9_999_999_999_999_999_999_999.999999m, DateOnly.MinValue, new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
            new object?[] { new string('x', 20_000), true, int.MaxValue, long.MaxValue, float.PositiveInfinity, -0.0, 9_999_999_999_999_999.99m, 999_999.999m, 9_999_999_999_999_999_999_999.999999m, DateOnly.MaxValue, new DateTime(9999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc).AddTicks(9_990) },
            Enumerable.Repeat<object?>(null, AllTypes.Length).ToArray(),
            new object?[] { "äöü € 𝄞 中文", true, 0, 0L, float.NaN, double.Epsilon, 0.01m, -0.001m, 0.000001m, new DateOnly(1970, 1, 1), DateTime.UnixEpoch },
        };
        while (rows.Count < count)
        {
            var r = rows.Count;
            rows.Add(
            [
                r % 5 == 0 ? null : r % 3 == 0 ? "same" : $"v{random.Next()}",
                r % 7 == 0 ? null : random.Next(2) == 1,
                r % 11 == 0 ? null : random.Next(int.MinValue, int.MaxValue),
                r % 13 == 0 ? null : random.NextInt64(long.MinValue, long.MaxValue),
                r % 4 == 0 ? null : (float)(random.NextDouble() * 1e6 - 5e5),
                r % 6 == 0 ? null : random.NextDouble() * 1e12 - 5e11,
                r % 8 == 0 ? null : Math.Round((decimal)(random.NextDouble() * 2e15 - 1e15), 2),
                r % 9 == 0 ? null : Math.Round((decimal)(random.NextDouble() * 2e6 - 1e6), 3),
                r % 10 == 0 ? null : Math.Round((decimal)(random.NextDouble() * 2e20 - 1e20), 6),
                r % 12 == 0 ? null : DateOnly.FromDayNumber(random.Next(DateOnly.MaxValue.DayNumber)),
                r % 14 == 0 ? null : new DateTime(random.NextInt64(DateTime.MaxValue.Ticks / 10) * 10, DateTimeKind.Utc),
            ]);
        }

        return rows;
    }

    private async Task<string> WriteAsync(IReadOnlyList<ColumnDefinition> columns, IReadOnlyList<object?[]> rows, ParquetCompression codec, int rowGroupRows, bool parallel = true)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.parquet");
        var encoder = new RowGroupEncoder(codec, parallel);
        await using var stream = File.Create(path);
        var writer = new ParquetFileWriter(stream, [.. columns.Select(ParquetColumn.From)]);
        var buffers = columns.Select(ColumnBuffer.Create).ToArray();
        for (var first = 0; first < rows.Count; first += rowGroupRows)
        {
            foreach (var row in rows.Skip(first).Take(rowGroupRows))
            {
                for (var c = 0; c < buffers.Length; c++)
                {
                    buffers[c].Add(row[c]);
                }
            }

            await writer.WriteRowGroupAsync(buffers, buffers[0].Count, encoder, CancellationToken.None);
            foreach (var buffer in buffers)
            {
                buffer.Reset();
            }
        }

        await writer.CompleteAsync(encoder.Primary, CancellationToken.None);
        writer.Position.Should().Be(stream.Length);
        return path;
    }

    private static List<object?[]> ReadWithDuckDb(string path, IReadOnlyList<ColumnDefinition> columns)
    {
        // Timestamps as microseconds and dates as text: no time zone or calendar conversions in the comparison.
        var select = string.Join(", ", columns.Select(c => c.Type.Kind switch
        {
            ColumnKind.Timestamp => $"epoch_us(\"{c.Name}\")",
            ColumnKind.Date => $"CAST(\"{c.Name}\" AS VARCHAR)",
            _ => $"\"{c.Name}\"",
        }));
        return EngineHarness.Query($"SELECT {select} FROM read_parquet('{path}')");
    }

    private static async Task<List<object?[]>> ReadWithParquetNetAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, new ParquetOptions { UseDateOnlyTypeForDates = true });
        var fields = reader.Schema.GetDataFields();
        var rows = new List<object?[]>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var data = new List<object?[]>();
            foreach (var field in fields)
            {
                data.Add(await ParquetColumns.ReadAsync(group, field, CancellationToken.None));
            }

            for (var r = 0; r < group.RowCount; r++)
            {
                rows.Add([.. data.Select(d => d[r])]);
            }
        }

        return rows;
    }

    private static void AssertSameRows(List<object?[]> actual, IReadOnlyList<object?[]> expected, IReadOnlyList<ColumnDefinition> columns)
    {
        actual.Should().HaveCount(expected.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var want = Normalize(expected[r][c], columns[c].Type.Kind);
                var got = Normalize(actual[r][c], columns[c].Type.Kind);
                if (!Equals(want, got))
                {
                    throw new Xunit.Sdk.XunitException($"row {r}, column {columns[c].Name}: expected {want ?? "null"}, read {got ?? "null"}");
                }
            }
        }
    }

    /// <summary>One comparable form per kind, whichever reader produced the value.</summary>
    private static object? Normalize(object? value, ColumnKind kind) => value switch
    {
        null or DBNull => null,
        DateTime t when kind == ColumnKind.Timestamp => PhysicalValue.FromTimestamp(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateTimeOffset o => PhysicalValue.FromTimestamp(o.UtcDateTime),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t when kind == ColumnKind.Date => DateOnly.FromDateTime(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        float f => BitConverter.SingleToInt32Bits(float.IsNaN(f) ? float.NaN : f),
        double d => BitConverter.DoubleToInt64Bits(double.IsNaN(d) ? double.NaN : d),
        decimal m => m.ToString("0.############################", CultureInfo.InvariantCulture),
        long l when kind == ColumnKind.Timestamp => l,
        int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        _ => value,
    };
}
