using System.Globalization;
using Ingest.Database.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Engine;
using DuckDB.NET.Data;
using Parquet;

namespace Ingest.Database.Tests.Extraction;

/// <summary>
/// The binary COPY reader of PostgreSQL sources against the ADO.NET reader on the same tables: the raw extracts hold the same
/// rows and values (every type the COPY reads, nulls, typed and converted pairs, windows, lags and parallel ranges), a value that
/// does not fit fails with the same message, and sources the COPY cannot read fall back to ADO.NET.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBinaryCopyTests(PostgresServer postgres)
{
    private const string CreateTable = """
        CREATE TABLE t (
            id bigint PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, num numeric(12,3), mon money, f4 real, f8 double precision,
            b boolean, tx text, vc varchar(20), ch char(5), u uuid, d date, ts timestamp, tz timestamptz,
            i8_small bigint, num_whole numeric(10,0), d_as_ts date, ts_midnight timestamp, i4_flag integer, i4_text integer,
            updated_at timestamp NOT NULL);
        INSERT INTO t
        SELECT i,
               CASE WHEN i % 7 = 1 THEN NULL ELSE (i % 30000 - 15000)::smallint END,
               CASE WHEN i % 7 = 2 THEN NULL ELSE i * 1000 - 2147000000 END,
               CASE WHEN i % 7 = 3 THEN NULL ELSE i * 3000000007 END,
               CASE WHEN i % 7 = 4 THEN NULL ELSE (i * 7919 % 1000000) / 1000.0 - 400 END,
               CASE WHEN i % 7 = 5 THEN NULL ELSE (i * 13 % 100000 / 100.0)::money END,
               CASE WHEN i % 7 = 6 THEN NULL ELSE (i / 8.0)::real END,
               CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.1 END,
               CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END,
               CASE WHEN i % 11 = 0 THEN NULL WHEN i % 11 = 1 THEN '' ELSE 'Grüße "' || i || E'",\n' END,
               CASE WHEN i % 13 = 0 THEN NULL ELSE 'v' || i END,
               CASE WHEN i % 17 = 0 THEN NULL ELSE 'c' || (i % 100) END,
               CASE WHEN i % 19 = 0 THEN NULL ELSE md5(i::text)::uuid END,
               CASE WHEN i % 23 = 0 THEN NULL ELSE date '2024-01-01' + (i % 400) END,
               CASE WHEN i % 29 = 0 THEN NULL ELSE timestamp '2024-04-02 12:00:00' + make_interval(secs => i * 37.123456) END,
               CASE WHEN i % 31 = 0 THEN NULL ELSE timestamptz '2024-10-26 22:00:00+00' + make_interval(secs => i * 41.5) END,
               CASE WHEN i % 37 = 0 THEN NULL ELSE i - 1000 END,
               CASE WHEN i % 41 = 0 THEN NULL ELSE i * 1000 END,
               CASE WHEN i % 43 = 0 THEN NULL ELSE date '2024-03-25' + (i % 10) END,
               CASE WHEN i % 47 = 0 THEN NULL ELSE timestamp '2024-01-01' + make_interval(days => i % 500) END,
               CASE WHEN i % 53 = 0 THEN NULL ELSE i % 2 END,
               CASE WHEN i % 59 = 0 THEN NULL ELSE i END,
               timestamp '2024-05-01 08:00:00' + make_interval(secs => i)
        FROM generate_series(1, 3000) AS i;
        """;

    private const string Columns = """
        { "name": "id", "type": "int64", "nullable": false },
        { "name": "i2", "type": "int32" }, { "name": "i4", "type": "int64" }, { "name": "i8", "type": "int64" },
        { "name": "num", "type": "decimal(12,3)" }, { "name": "mon", "type": "decimal(12,2)" }, { "name": "f4", "type": "float" },
        { "name": "f8", "type": "double" }, { "name": "b", "type": "boolean" }, { "name": "tx", "type": "string" },
        { "name": "vc", "type": "string" }, { "name": "ch", "type": "string" }, { "name": "u", "type": "string" },
        { "name": "d", "type": "date" }, { "name": "ts", "type": "timestamp" }, { "name": "tz", "type": "timestamp" },
        { "name": "i8_small", "type": "int32" }, { "name": "num_whole", "type": "int64" }, { "name": "d_as_ts", "type": "timestamp" },
        { "name": "ts_midnight", "type": "date" }, { "name": "i4_flag", "type": "boolean" }, { "name": "i4_text", "type": "string" },
        { "name": "updated_at", "type": "timestamp", "nullable": false }
        """;

    [Fact]
    public async Task FullExtract_EveryType_EqualsTheAdoNetExtract()
    {
        var db = await DatabaseAsync(CreateTable);
        var definition = Definition(Columns);

        var copy = await ExtractAsync(db, definition, binaryCopy: true);
        var ado = await ExtractAsync(db, definition, binaryCopy: false);

        copy.Reader.Should().Be("binary COPY");
        ado.Reader.Should().Be("ADO.NET");
        copy.Rows.Should().HaveCount(3000);
        copy.Rows.Should().BeEquivalentTo(ado.Rows, o => o.WithStrictOrdering());
        Column(copy, "i8").OfType<long>().Sum(v => (decimal)v).Should().Be(await SumAsync(db, "i8", ""));
        Column(copy, "tx").Count(v => v is null).Should().Be(272, "3,000 / 11 rows are null");
        Column(copy, "ch").OfType<string>().Should().OnlyContain(s => s.Length == 5, "char(5) keeps its padding");
        Column(copy, "ts").OfType<DateTime>().Should().Contain(t => t.Ticks % TimeSpan.TicksPerSecond != 0, "microseconds survive");
    }

    [Fact]
    public async Task IncrementalExtract_WithLagAndParallelRanges_TakesTheSameWindowAsTheAdoNetExtract()
    {
        var db = await DatabaseAsync(CreateTable);
        var definition = Definition(Columns, """, "cursor": { "column": "updated_at", "lag": 100 }, "partitionColumn": "id", "parallelism": 3""");
        const string watermark = "2024-05-01T08:10:00.0000000";

        var copy = await ExtractAsync(db, definition, binaryCopy: true, watermark);
        var ado = await ExtractAsync(db, definition, binaryCopy: false, watermark);

        copy.Reader.Should().Be("binary COPY");
        copy.Result.Watermark.Should().Be("2024-05-01T08:48:20.0000000", "the largest updated_at (08:50:00) minus 100 seconds");
        copy.Result.Watermark.Should().Be(ado.Result.Watermark);
        copy.Rows.Should().HaveCount(2300, "ids 601 (08:10:01) to 2900 (08:48:20)");
        copy.Rows.Should().BeEquivalentTo(ado.Rows, o => o.WithStrictOrdering());
        Column(copy, "i8").OfType<long>().Sum(v => (decimal)v).Should().Be(await SumAsync(db, "i8", "WHERE id BETWEEN 601 AND 2900"));
    }

    [Theory]
    [InlineData("numeric(10,3)", "1.234", "decimal(10,2)", "1.234 does not fit decimal(10,2): more than 2 decimal place(s)")]
    [InlineData("bigint", "3000000000", "int32", "3000000000 is out of the int32 range")]
    [InlineData("numeric(10,2)", "1.5", "int64", "1.50 has a fraction; the column is int64")]
    [InlineData("timestamp", "'2024-03-31 02:30:00'", "timestamp", "does not exist in time zone Europe/Berlin (a daylight-saving gap)")]
    [InlineData("timestamp", "'2024-05-01 10:00:00'", "date", "has a time of day; the column is a date")]
    [InlineData("numeric", "123456789012345678901234567890.5", "decimal(28,2)", "cannot be read as a .NET value")]
    [InlineData("integer", "2", "boolean", "2 expected a boolean (or 0/1)")]
    public async Task ValueThatDoesNotFit_FailsWithTheAdoNetMessage_NamingTheKeyReadAfterIt(string pgType, string bad, string schemaType, string expected)
    {
        var db = await DatabaseAsync($"CREATE TABLE t (v {pgType}, id int PRIMARY KEY, updated_at timestamp NOT NULL); INSERT INTO t VALUES (NULL, 1, '2024-05-01'), ({bad}, 2, '2024-05-01'), (NULL, 3, '2024-05-01');");
        var definition = Definition($$"""{ "name": "v", "type": "{{schemaType}}" }, { "name": "id", "type": "int32", "nullable": false }, { "name": "updated_at", "type": "timestamp" }""");

        var copy = await FailAsync(db, definition, binaryCopy: true);
        var ado = await FailAsync(db, definition, binaryCopy: false);

        copy.Message.Should().Contain("column 'v' (id = 2)").And.Contain(expected);
        copy.Message.Should().Be(ado.Message);
        copy.Column.Should().Be("v");
    }

    [Fact]
    public async Task TypeTheCopyDoesNotRead_FallsBackToAdoNet_WithTheSameValues()
    {
        var db = await DatabaseAsync("""
            CREATE TABLE t (id bigint PRIMARY KEY, doc json, updated_at timestamp NOT NULL);
            INSERT INTO t SELECT i, json_build_object('n', i), timestamp '2024-05-01' + make_interval(secs => i) FROM generate_series(1, 50) AS i;
            """);
        var definition = Definition("""{ "name": "id", "type": "int64", "nullable": false }, { "name": "doc", "type": "string" }, { "name": "updated_at", "type": "timestamp" }""");

        var extract = await ExtractAsync(db, definition, binaryCopy: true);

        extract.Reader.Should().Be("ADO.NET", "json is not among the types the binary COPY reads");
        Column(extract, "doc")[0].Should().Be("""{"n" : 1}""");
    }

    [Fact]
    public async Task ReadOnlySession_KeepsTheWindowWithoutATemporaryTable_ThroughAdoNet()
    {
        var db = await DatabaseAsync(CreateTable);
        var name = new Npgsql.NpgsqlConnectionStringBuilder(db).Database;
        await PostgresServer.ExecuteAsync(db, $"ALTER DATABASE {name} SET default_transaction_read_only = on");
        var definition = Definition(Columns, """, "cursor": { "column": "updated_at" }""");

        var full = await ExtractAsync(db, Definition(Columns), binaryCopy: true);
        var windowed = await ExtractAsync(db, definition, binaryCopy: true, "2024-05-01T08:40:00.0000000");
        var ado = await ExtractAsync(db, definition, binaryCopy: false, "2024-05-01T08:40:00.0000000");

        full.Reader.Should().Be("binary COPY", "a window without bounds needs no temporary table");
        windowed.Reader.Should().Be("ADO.NET", "a read-only session cannot create the table of bounds");
        windowed.Rows.Should().HaveCount(600).And.BeEquivalentTo(ado.Rows, o => o.WithStrictOrdering());
    }

    private static List<object?> Column(Extract extract, string name)
    {
        var ordinal = extract.Names.IndexOf(name);
        return [.. extract.Rows.Select(r => r[ordinal])];
    }

    private static DatasetDefinition Definition(string columns, string database = "")
        => DatasetDefinitionSerializer.Deserialize($$"""
            {
              "id": "copy.t",
              "source": { "format": "database", "timeZone": "Europe/Berlin", "database": { "connection": "pg", "provider": "postgresql", "table": "t"{{database}} } },
              "columns": [ {{columns}} ],
              "keys": ["id"]
            }
            """);

    private static async Task<decimal> SumAsync(string db, string column, string where)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT sum({column}) FROM t {where}", connection);
        return Convert.ToDecimal(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Extracts into a file and reads it back with DuckDB (an independent reader), rows ordered by id (parallel ranges interleave).</summary>
    private static async Task<Extract> ExtractAsync(string db, DatasetDefinition definition, bool binaryCopy, string? watermark = null)
    {
        var options = LakeHarness.Options(("pg", db));
        options.PostgresBinaryCopy = binaryCopy;
        var path = Path.Combine(Path.GetTempPath(), $"ingest-copy-test-{Guid.NewGuid():N}.parquet");
        try
        {
            SourceExtractResult result;
            await using (var file = File.Create(path))
            {
                result = await DatabaseIngest.CreateExtractor(options).ExtractAsync(new SourceExtractRequest { Definition = definition, RunId = "r1", Watermark = watermark }, file);
            }

            string reader;
            await using (var file = File.OpenRead(path))
            await using (var parquet = await ParquetReader.CreateAsync(file))
            {
                reader = parquet.CustomMetadata["ingest.extract.reader"];
            }

            await using var duck = new DuckDBConnection("Data Source=:memory:");
            await duck.OpenAsync();
            await using var command = duck.CreateCommand();
            command.CommandText = $"SELECT * FROM read_parquet('{path.Replace("'", "''", StringComparison.Ordinal)}') ORDER BY id";
            await using var rows = await command.ExecuteReaderAsync();
            var names = Enumerable.Range(0, rows.FieldCount).Select(rows.GetName).ToList();
            var values = new List<object?[]>();
            while (await rows.ReadAsync())
            {
                values.Add([.. Enumerable.Range(0, rows.FieldCount).Select(i => rows.IsDBNull(i) ? null : rows.GetValue(i))]);
            }

            return new Extract(result, names, values, reader);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<DataValidationException> FailAsync(string db, DatasetDefinition definition, bool binaryCopy)
    {
        var run = () => ExtractAsync(db, definition, binaryCopy);
        return (await run.Should().ThrowAsync<DataValidationException>()).Which;
    }

    private async Task<string> DatabaseAsync(string sql)
    {
        var db = await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(db, sql);
        return db;
    }

    private sealed record Extract(SourceExtractResult Result, List<string> Names, List<object?[]> Rows, string Reader);
}
