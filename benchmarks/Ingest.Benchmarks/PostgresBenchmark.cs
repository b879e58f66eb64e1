using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Ingest.Database;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Local;
using Npgsql;

namespace Ingest.Benchmarks;

/// <summary>
/// <c>--postgres</c>: a PostgreSQL table of N rows (the CSV benchmark's six columns) to Parquet, Ingest's database source
/// (extract to the raw zone, convert, validate, lineage, curated Parquet, commit) against DuckDB. DuckDB's postgres scanner is
/// tried first (an extension that must be downloaded, so usually not loadable offline); otherwise DuckDB gets
/// <c>COPY … TO STDOUT (FORMAT csv)</c> (Npgsql's text export, written to a file) and converts it with <c>COPY … (FORMAT parquet)</c>,
/// both steps timed. Alternating rounds, medians; both outputs are checked against the table's own count and sums.
/// </summary>
/// <remarks>
/// The connection string comes from <c>--connection</c> or <c>INGEST_ConnectionStrings__onprem</c> (<c>scripts/postgres.sh url</c>).
/// </remarks>
internal static class PostgresBenchmark
{
    private const string Table = "ingest_bench_orders";
    private const string CopyVariant = "Ingest (binary COPY)";
    private const string AdoVariant = "Ingest (ADO.NET)";

    /// <summary>Gets the stages of each Ingest run: extraction to the raw extract, reading it into curated Parquet, the commit (seconds).</summary>
    private static List<(double Extract, double Ingest, double Commit)> Stages { get; } = [];

    public static async Task<int> MainAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = 2_000_000;
        var runs = 3;
        var connectionString = Environment.GetEnvironmentVariable("INGEST_ConnectionStrings__onprem");
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length: rows = int.Parse(args[++i], inv); break;
                case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i], inv); break;
                case "--connection" when i + 1 < args.Length: connectionString = args[++i]; break;
                default:
                    Console.Error.WriteLine("usage: Ingest.Benchmarks --postgres [--rows N] [--runs N] [--connection <Npgsql connection string>]");
                    return 2;
            }
        }

        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine("no PostgreSQL: set INGEST_ConnectionStrings__onprem (scripts/postgres.sh start; scripts/postgres.sh url) or pass --connection");
            return 2;
        }

        var expected = await PrepareTableAsync(connectionString, rows);
        Console.WriteLine(string.Create(inv, $"table {Table}: {rows:N0} rows; {Environment.ProcessorCount} cores; {runs} rounds"));
        var root = Directory.CreateTempSubdirectory("ingest-pg-bench-").FullName;
        var scanner = await TryScannerAsync(connectionString);
        Console.WriteLine(scanner is null ? "DuckDB postgres scanner: not loadable offline; DuckDB reads COPY … TO STDOUT (FORMAT csv) instead" : "DuckDB postgres scanner: loaded");
        // Ingest with its binary COPY reader (the default), Ingest with the ADO.NET reader (DatabaseSourceOptions.PostgresBinaryCopy = false), DuckDB.
        string[] variants = [CopyVariant, AdoVariant, "DuckDB"];
        var times = variants.ToDictionary(v => v, _ => new List<double>());
        var cpu = variants.ToDictionary(v => v, _ => new List<double>());
        var extracts = variants.ToDictionary(v => v, _ => new List<double>());
        var failures = new List<string>();
        try
        {
            for (var round = 1; round <= runs; round++)
            {
                var work = Path.Combine(root, round.ToString(inv));
                foreach (var name in variants)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var (seconds, glob) = name == "DuckDB"
                        ? await RunDuckDbAsync(connectionString, Path.Combine(work, "duckdb"), scanner is not null)
                        : await RunIngestAsync(connectionString, Path.Combine(work, name == CopyVariant ? "copy" : "ado"), binaryCopy: name == CopyVariant);
                    var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                    var actual = await FiguresAsync(glob);
                    var ok = actual == expected;
                    if (!ok)
                    {
                        failures.Add($"{name}, round {round}: {actual} ≠ {expected}");
                    }

                    times[name].Add(seconds);
                    cpu[name].Add(cpuSeconds);
                    var stages = string.Empty;
                    if (name != "DuckDB")
                    {
                        extracts[name].Add(Stages[^1].Extract);
                        stages = string.Create(inv, $" (extract {Stages[^1].Extract:0.00} s, read + convert + write {Stages[^1].Ingest:0.00} s, commit {Stages[^1].Commit:0.00} s)");
                    }

                    Console.WriteLine(string.Create(inv, $"round {round} {name,-22} {seconds,7:0.00} s (this process {cpuSeconds,6:0.00} cpu s) {rows / seconds,12:N0} rows/s {(ok ? "verified" : "WRONG")}{stages}"));
                }

                Directory.Delete(work, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        var duck = Median(times["DuckDB"]);
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {LoadAverage()} (the machine is shared: compare ratios of one run)");
        Console.WriteLine("| variant | median s | median cpu s (this process) | median extract s | rows/s | Ingest/DuckDB throughput |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var name in variants[..2])
        {
            var median = Median(times[name]);
            Console.WriteLine(string.Create(inv, $"| {name}: database source → raw extract → curated Parquet (full run) | {median:0.00} | {Median(cpu[name]):0.00} | {Median(extracts[name]):0.00} | {rows / median:N0} | {duck / median:0.00} |"));
        }

        Console.WriteLine(string.Create(inv, $"| DuckDB: {(scanner is null ? "COPY TO STDOUT (csv) + COPY (FORMAT parquet)" : "postgres_scan + COPY (FORMAT parquet)")} | {duck:0.00} | {Median(cpu["DuckDB"]):0.00} | | {rows / duck:N0} | |"));
        Console.WriteLine();

        var ratio = duck / Median(times[CopyVariant]);
        var report = new TargetReport();
        report.Add(Issue18.Postgres, ratio, 1.0, higherIsBetter: true);
        report.Print(Console.Out, "Issue 18 target measured by --postgres");
        foreach (var failure in failures)
        {
            Console.Error.WriteLine("WRONG: " + failure);
        }

        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>Gets the 1, 5 and 15 minute load averages (Linux), or "unknown".</summary>
    internal static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static async Task<(double Seconds, string Glob)> RunIngestAsync(string connectionString, string home, bool binaryCopy)
    {
        var clock = Stopwatch.StartNew();
        var backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = home });
        await backends.Registry.RegisterAsync(DatasetDefinitionSerializer.Deserialize($$"""
            {
              "id": "bench.orders",
              "source": { "format": "database", "database": { "connection": "bench", "provider": "postgresql", "table": "{{Table}}" } },
              "columns": [
                { "name": "order_id", "type": "int64", "nullable": false },
                { "name": "customer", "type": "string" },
                { "name": "amount", "type": "decimal(18,2)" },
                { "name": "ts", "type": "timestamp" },
                { "name": "country", "type": "string" },
                { "name": "qty", "type": "int32" }
              ]
            }
            """));
        var options = new DatabaseSourceOptions { PostgresBinaryCopy = binaryCopy };
        options.Providers[DatabaseProvider.Postgresql] = NpgsqlFactory.Instance;
        options.ConnectionStrings["bench"] = connectionString;
        using var events = new EventClock();
        var started = DateTime.UtcNow;
        var result = await new IngestPipelineBuilder(backends).ForDataset("bench.orders").UseSourceExtractor(DatabaseIngest.CreateExtractor(options)).UseLoggerFactory(events).Build().ExtractAndRunAsync();
        clock.Stop();
        // Event 1050: the extract is written; 1100: committing (reading, converting and writing are done); 1001: succeeded.
        Stages.Add((
            (events.At(1050) - started).TotalSeconds,
            (events.At(1100) - events.At(1050)).TotalSeconds,
            (events.At(1001) - events.At(1100)).TotalSeconds));
        if (result.Run.RowsWritten == 0)
        {
            throw new InvalidOperationException("Ingest wrote no rows.");
        }

        return (clock.Elapsed.TotalSeconds, Path.Combine(home, LocalIngest.LakeFolderName, "curated", "bench", "orders", "**", "*.parquet"));
    }

    private static async Task<(double Seconds, string Glob)> RunDuckDbAsync(string connectionString, string folder, bool scanner)
    {
        Directory.CreateDirectory(folder);
        var output = Path.Combine(folder, "orders.parquet");
        var columns = "order_id, customer, amount, ts, country, qty";
        var clock = Stopwatch.StartNew();
        await using var duck = new DuckDBConnection("Data Source=:memory:");
        await duck.OpenAsync();
        if (scanner)
        {
            await ExecuteAsync(duck, $"LOAD postgres; COPY (SELECT {columns} FROM postgres_scan({Sql.Literal(LibpqDsn(connectionString))}, 'public', '{Table}')) TO {Sql.Literal(output)} (FORMAT parquet, COMPRESSION snappy)");
        }
        else
        {
            var csv = Path.Combine(folder, "orders.csv");
            await using (var pg = new NpgsqlConnection(connectionString))
            {
                await pg.OpenAsync();
                using var export = await pg.BeginTextExportAsync($"COPY (SELECT {columns} FROM {Table}) TO STDOUT (FORMAT csv)");
                await using var file = new StreamWriter(csv);
                var buffer = new char[1 << 16];
                int read;
                while ((read = await export.ReadAsync(buffer)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read));
                }
            }

            await ExecuteAsync(duck, $"COPY (SELECT * FROM read_csv({Sql.Literal(csv)}, header = false, columns = {{'order_id': 'BIGINT', 'customer': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'ts': 'TIMESTAMP', 'country': 'VARCHAR', 'qty': 'INTEGER'}})) TO {Sql.Literal(output)} (FORMAT parquet, COMPRESSION snappy)");
        }

        clock.Stop();
        return (clock.Elapsed.TotalSeconds, output);
    }

    private static async Task<string?> TryScannerAsync(string connectionString)
    {
        try
        {
            await using var duck = new DuckDBConnection("Data Source=:memory:");
            await duck.OpenAsync();
            await ExecuteAsync(duck, "LOAD postgres");
            await ExecuteAsync(duck, $"SELECT count(*) FROM postgres_scan({Sql.Literal(LibpqDsn(connectionString))}, 'public', '{Table}')");
            return "postgres";
        }
        catch (DuckDBException)
        {
            return null;
        }
    }

    /// <summary>Creates the table once (same columns and distributions as the CSV benchmark) and returns its figures.</summary>
    private static async Task<string> PrepareTableAsync(string connectionString, int rows)
    {
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync();
        await using (var exists = new NpgsqlCommand($"SELECT count(*) FROM {Table}", pg))
        {
            try
            {
                if ((long)(await exists.ExecuteScalarAsync())! == rows)
                {
                    return await PostgresFiguresAsync(pg);
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
            }
        }

        await using (var create = new NpgsqlCommand($"""
            DROP TABLE IF EXISTS {Table};
            CREATE TABLE {Table} (order_id bigint PRIMARY KEY, customer text, amount numeric(18,2), ts timestamp, country text, qty int);
            INSERT INTO {Table}
            SELECT i, 'customer-' || (i * 7919 % 50000), ((i * 104729) % 10000000) / 100.0,
                   timestamp '2024-01-01' + make_interval(secs => i * (31536000.0 / @rows)),
                   (ARRAY['DE','FR','IT','ES','NL','PL','AT','BE'])[1 + (i % 8)::int], (i % 20) + 1
            FROM generate_series(1::bigint, @rows) AS i;
            ANALYZE {Table};
            """, pg))
        {
            create.Parameters.AddWithValue("rows", rows);
            create.CommandTimeout = 0;
            await create.ExecuteNonQueryAsync();
        }

        return await PostgresFiguresAsync(pg);
    }

    private static async Task<string> PostgresFiguresAsync(NpgsqlConnection pg)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) || ' rows, sum(amount) ' || sum(amount) || ', sum(qty) ' || sum(qty) || ', sum(order_id) ' || sum(order_id) || ', sum(length(customer)) ' || sum(length(customer)) || ', sum(epoch_us) ' || sum((extract(epoch from ts) * 1000000)::bigint) FROM {Table}", pg);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> FiguresAsync(string glob)
    {
        await using var duck = new DuckDBConnection("Data Source=:memory:");
        await duck.OpenAsync();
        await using var command = duck.CreateCommand();
        command.CommandText = $"SELECT count(*) || ' rows, sum(amount) ' || sum(amount) || ', sum(qty) ' || sum(qty) || ', sum(order_id) ' || sum(order_id) || ', sum(length(customer)) ' || sum(length(customer)) || ', sum(epoch_us) ' || sum(epoch_us(ts)) FROM read_parquet({Sql.Literal(glob)})";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(DuckDBConnection duck, string sql)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static string LibpqDsn(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"host={b.Host} port={b.Port} user={b.Username} password={b.Password} dbname={b.Database}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
