using System.Diagnostics;
using System.Globalization;
using Ingest;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Spectre.Console;

namespace OnPremToAthena;

/// <summary>
/// The story, one method a step. Each step says (in <see cref="Show.Step"/>) which data-engineering
/// point it makes, and checks its outcome against figures known independently of the lake. Without a query engine
/// (the AWS target: the SQL below is DuckDB's dialect) the SQL is skipped and the checks read the Parquet files back instead.
/// </summary>
internal sealed class Steps(IngestBackends backends, Extract extract, Checks checks, ReadBack readBack)
{
    private const string NoQueryEngine = "skipped on this target: this SQL is DuckDB's dialect; query the same tables in Athena with 'ingest query --target aws' (shown at the end). The checks below read the Parquet files back from the lake instead.";

    private const string Customers = "sales.customers";
    private const string Orders = "sales.orders";

    private readonly IQueryEngine? _query = backends.Query;

    private readonly Dictionary<string, DatasetDefinition> _definitions = [];
    private readonly Extract _extract = extract;

    private IReadOnlyList<PlantedDefect> FirstExtractDefects
        => [.. _extract.Defects.Where(d => d.File != Path.GetFileName(_extract.OrdersJulyFile))];

    /// <summary>Step 1: what the on-premise site exports. Deterministic, so every figure below can be checked.</summary>
    public static Extract GenerateExtract(string extractFolder, int rows)
    {
        Show.Step(1, "Generate the on-premise extract", "A seeded, realistic export: customers as JSON Lines, orders as CSV in local time, bad rows planted at known lines.");
        var watch = Stopwatch.StartNew();
        var extract = new DataGenerator(rows).Generate(extractFolder);

        var files = new Table().Border(TableBorder.Rounded).AddColumns("file", "format", "size");
        foreach (var path in new[] { extract.CustomersFile, extract.OrdersFile, extract.OrdersJulyFile })
        {
            files.AddRow(Markup.Escape(Path.GetFileName(path)), path.EndsWith(".csv", StringComparison.Ordinal) ? "CSV" : "JSON Lines", $"{new FileInfo(path).Length / 1024.0 / 1024.0:0.0} MiB");
        }

        AnsiConsole.Write(files);
        var defects = new Table().Border(TableBorder.Rounded).Title("planted bad rows").AddColumns("file", "line", "column", "what");
        foreach (var d in extract.Defects)
        {
            defects.AddRow(Markup.Escape(d.File), d.Line.ToString(CultureInfo.InvariantCulture), d.Column ?? "(record)", Markup.Escape(d.What));
        }

        AnsiConsole.Write(defects);
        AnsiConsole.MarkupLine($"[grey]{Show.N(extract.Expected.Customers)} customers, {Show.N(extract.Expected.FirstExtractOrders)} + {Show.N(extract.Expected.SecondExtractOrders)} valid orders, generated in {watch.Elapsed.TotalSeconds:0.0} s in {Markup.Escape(extractFolder)}[/]");
        return extract;
    }

    /// <summary>Step 2: the definitions are the contract; registering them is all the setup a dataset needs.</summary>
    public async Task RegisterAndIngestAsync()
    {
        Show.Step(2, "Register the definitions and ingest", "One JSON definition per dataset drives parsing, typing, quality rules, partitioning and the catalog table. Files land in raw, rows in curated or quarantine, and become visible only at commit.");
        foreach (var file in new[] { "sales.customers.v1.json", "sales.orders.v1.json" })
        {
            var registered = await backends.Registry.RegisterAsync(await ReadDefinitionAsync(file));
            _definitions[registered.Dataset.ToString()] = registered.Definition;
            AnsiConsole.MarkupLine($"registered [bold]{registered.Dataset}[/] v{registered.Version} from {file}");
        }

        var customers = await IngestAsync(Customers, _extract.CustomersFile, version: 1);
        var orders = await IngestAsync(Orders, _extract.OrdersFile, version: 1);
        CheckRun(customers, _extract.Expected.Customers, PlantedIn(_extract.CustomersFile));
        CheckRun(orders, _extract.Expected.FirstExtractOrders, PlantedIn(_extract.OrdersFile));
    }

    /// <summary>Step 3: bad rows are not lost and do not block the load: they wait in quarantine with a reason and a line number.</summary>
    public async Task ShowQuarantineAsync()
    {
        Show.Step(3, "Inspect the quarantine", "Rejected rows keep their original text, the reason and the source line, so the site can fix the export; the good rows were published anyway.");
        if (_query is null)
        {
            Show.Skipped(NoQueryEngine);
            await CheckQuarantineAsync(FirstExtractDefects);
            return;
        }

        // The quarantine keeps every source value as text; a record that could not even be split keeps its raw line.
        await Show.QueryAsync(_query, "sales.orders_quarantine", """
            SELECT _source_file AS file, _source_line AS line, _reason AS reason,
                   coalesce(_raw_record, concat_ws(',', order_id, coalesce(customer_id, ''), order_ts, country, amount, qty, status)) AS original
            FROM sales.orders_quarantine ORDER BY file, line
            """);
        await Show.QueryAsync(_query, "sales.customers_quarantine", """
            SELECT _source_file AS file, _source_line AS line, _reason AS reason, customer_id, country, signup_date
            FROM sales.customers_quarantine ORDER BY file, line
            """);
        await CheckQuarantineAsync(FirstExtractDefects);
    }

    /// <summary>Step 4: schemas change. Compatible changes become a new version; incompatible ones are refused before any byte is written.</summary>
    public async Task EvolveSchemaAsync()
    {
        Show.Step(4, "Evolve the orders schema", "v2 adds a nullable 'channel' column: old files read it as NULL. Turning amount into a double would change what old files mean (and money is never a float), so the registry refuses it.");
        var v1 = _definitions[Orders];
        try
        {
            var asDouble = v1.Columns.Select(c => c.Name == "amount" ? c with { Type = ColumnType.Double } : c).ToList();
            await backends.Registry.RegisterAsync(v1 with { Columns = asDouble });
            checks.That("incompatible change refused", false, "amount decimal(12,2) → double was accepted");
        }
        catch (SchemaCompatibilityException ex)
        {
            checks.That("incompatible change refused", ex.Incompatibilities.Count > 0, ex.Message);
        }

        var v2 = await backends.Registry.RegisterAsync(await ReadDefinitionAsync("sales.orders.v2.json"));
        checks.Equal("orders v2 registered as version", 2, v2.Version);
        _definitions[Orders] = v2.Definition;

        var versions = new List<Ingest.Registry.RegisteredDefinition>();
        await foreach (var v in backends.Registry.ListVersionsAsync(v2.Dataset))
        {
            versions.Add(v);
        }

        Show.Versions(versions);
        checks.Equal("versions of sales.orders", "1,2", string.Join(',', versions.Select(v => v.Version)));

        var july = await IngestAsync(Orders, _extract.OrdersJulyFile, version: null);
        checks.Equal("July run used definition version", 2, july.Run.DefinitionVersion);
        CheckRun(july, _extract.Expected.SecondExtractOrders, PlantedIn(_extract.OrdersJulyFile));

        const string PerFile = "SELECT _source_file AS file, count(*) AS orders, count(channel) AS with_channel FROM {0} GROUP BY ALL ORDER BY file";
        IReadOnlyList<IReadOnlyList<object?>> perFile = _query is null
            ? await readBack.QueryAsync(LakeZone.Curated, Orders, string.Format(CultureInfo.InvariantCulture, PerFile, "{files}"))
            : await Show.QueryAsync(_query, "channel per source file (lineage column _source_file)", string.Format(CultureInfo.InvariantCulture, PerFile, Orders));
        var h1 = perFile.FirstOrDefault(r => Equals(r[0], Path.GetFileName(_extract.OrdersFile)));
        checks.That("v1 rows read channel as NULL", h1 is not null && ToLong(h1[2]) == 0, h1 is null ? "no H1 rows" : $"{Show.Format(h1[2])} of {Show.Format(h1[1])} H1 rows have a channel");
        await CheckQuarantineAsync(_extract.Defects);
    }

    /// <summary>Step 5: the point of the lake: analytical SQL over typed, partitioned Parquet, checked against figures computed from the source.</summary>
    public async Task QueryAsync()
    {
        Show.Step(5, "Query the lake", "DuckDB here, Athena on AWS: the same views over the same Parquet layout. Values travel as parameters, never spliced into SQL.");
        var expected = _extract.Expected;
        if (_query is null)
        {
            Show.Skipped(NoQueryEngine);
            var h1 = await readBack.QueryAsync(
                LakeZone.Curated, Orders, "SELECT count(*), CAST(sum(amount) AS DECIMAL(18,2)) FROM {files} WHERE _source_file = ?", Path.GetFileName(_extract.OrdersFile));
            checks.Equal("H1 orders in the curated Parquet", expected.FirstExtractOrders, ToLong(h1[0][0]));
            checks.Equal("H1 revenue in the curated Parquet", expected.FirstExtractAmount, Convert.ToDecimal(h1[0][1], CultureInfo.InvariantCulture));
            var customers = await readBack.QueryAsync(LakeZone.Curated, Customers, "SELECT count(*) FROM {files}");
            checks.Equal("customers in the curated Parquet", expected.Customers, ToLong(customers[0][0]));
            return;
        }

        var revenue = await Show.QueryAsync(_query, "Revenue per country per month", """
            SELECT country, strftime(CAST(order_ts AS DATE), '%Y-%m') AS month, count(*) AS orders, CAST(sum(amount) AS DECIMAL(18,2)) AS revenue
            FROM sales.orders
            WHERE CAST(order_ts AS DATE) BETWEEN ? AND ?
            GROUP BY ALL ORDER BY month, revenue DESC
            """, [new DateOnly(2025, 1, 1), new DateOnly(2025, 7, 31)]);
        var lake = revenue.ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => Convert.ToDecimal(r[3], CultureInfo.InvariantCulture));
        var mismatches = expected.RevenueByCountryMonth.Where(e => lake.GetValueOrDefault(e.Key) != e.Value).ToList();
        checks.That("revenue per country and month equals the generator's", mismatches.Count == 0 && lake.Count == expected.RevenueByCountryMonth.Count,
            mismatches.Count == 0 ? $"{lake.Count} cells equal" : $"{mismatches.Count} of {expected.RevenueByCountryMonth.Count} cells differ, e.g. {mismatches[0].Key}: expected {mismatches[0].Value}, lake {lake.GetValueOrDefault(mismatches[0].Key)}");
        var de = ("DE", "2025-03");
        AnsiConsole.MarkupLine($"  DE, March 2025: computed from the generated rows [bold]{expected.RevenueByCountryMonth.GetValueOrDefault(de):#,0.00}[/], queried from the lake [bold]{lake.GetValueOrDefault(de):#,0.00}[/]");

        var top = await Show.QueryAsync(_query, "Top customers (orders joined with customers)", """
            SELECT c.customer_id, c.name, c.segment, c.country, count(*) AS orders, CAST(sum(o.amount) AS DECIMAL(18,2)) AS revenue
            FROM sales.orders o JOIN sales.customers c ON c.customer_id = o.customer_id
            GROUP BY ALL ORDER BY revenue DESC, c.customer_id
            LIMIT ?
            """, [10]);
        var expectedTop = expected.RevenueByCustomer.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(10)
            .Select(kv => $"{kv.Key}:{kv.Value:0.00}");
        var lakeTop = top.Select(r => string.Create(CultureInfo.InvariantCulture, $"{ToLong(r[0])}:{Convert.ToDecimal(r[5], CultureInfo.InvariantCulture):0.00}"));
        checks.Equal("top 10 customers (id:revenue)", string.Join(' ', expectedTop), string.Join(' ', lakeTop));

        var partitions = await Show.QueryAsync(_query, "Rows per partition (order_date = UTC day of order_ts)", """
            SELECT CAST(order_ts AS DATE) AS order_date, count(*) AS orders, count(DISTINCT _source_file) AS source_files
            FROM sales.orders GROUP BY ALL ORDER BY order_date
            """, maxRows: 8);
        var perDay = partitions.ToDictionary(r => ToDateOnly(r[0]), r => ToLong(r[1]));
        var dayMismatches = expected.OrdersPerDay.Count(e => perDay.GetValueOrDefault(e.Key) != e.Value);
        checks.That("rows per partition equal the generator's", dayMismatches == 0 && perDay.Count == expected.OrdersPerDay.Count,
            $"{perDay.Count} partitions in the lake, {expected.OrdersPerDay.Count} expected, {dayMismatches} differ");

        var total = await Show.QueryAsync(_query, "Revenue of the H1 extract", """
            SELECT count(*) AS orders, CAST(sum(amount) AS DECIMAL(18,2)) AS revenue FROM sales.orders WHERE _source_file = ?
            """, [Path.GetFileName(_extract.OrdersFile)]);
        var lakeAmount = Convert.ToDecimal(total[0][1], CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine($"  H1 revenue: computed from the generated rows [bold]{expected.FirstExtractAmount:#,0.00}[/], queried from the lake [bold]{lakeAmount:#,0.00}[/]");
        checks.Equal("H1 revenue", expected.FirstExtractAmount, lakeAmount);
    }

    /// <summary>Step 6: re-delivery of the same file is the normal case on-premise (retries, re-sent exports); it must not double the data.</summary>
    public async Task RerunAsync()
    {
        Show.Step(6, "Re-run the first ingest", "Inputs are fingerprinted (SHA-256): a file already ingested is skipped, so retries and re-sent exports never duplicate rows.");
        foreach (var (dataset, file) in new[] { (Customers, _extract.CustomersFile), (Orders, _extract.OrdersFile) })
        {
            var result = await IngestAsync(dataset, file, version: 1);
            checks.That($"{dataset} re-run is a no-op", result.IsNoOp && result.Run.RowsWritten == 0, $"status {result.Run.Status}, {result.Run.RowsWritten} rows written");
        }

        var expected = _extract.Expected.FirstExtractOrders + _extract.Expected.SecondExtractOrders;
        var count = _query is null
            ? await readBack.QueryAsync(LakeZone.Curated, Orders, "SELECT count(*) AS orders FROM {files}")
            : await Show.QueryAsync(_query, "Orders in the lake after the re-run", "SELECT count(*) AS orders FROM sales.orders");
        checks.Equal("orders in the lake", expected, ToLong(count[0][0]));

        // The run ledger tells the same story: the succeeded runs wrote exactly the valid rows, the re-runs nothing.
        long written = 0;
        await foreach (var run in backends.Ledger.ListRunsAsync(DatasetId.Parse(Orders)))
        {
            written += run.Status == RunStatus.Succeeded ? run.RowsWritten : 0;
        }

        checks.Equal("rows written by succeeded runs (ledger)", expected, written);
    }

    private async Task<IngestRunResult> IngestAsync(string dataset, string file, int? version)
    {
        // Pinning the version says "this extract has the v1 layout"; without it the run takes the latest.
        var builder = new IngestPipelineBuilder(backends).ForDataset(dataset);
        if (version is { } v)
        {
            builder.UseDefinitionVersion(v);
        }

        var pipeline = builder.Build();
        var result = await AnsiConsole.Status().StartAsync(
            $"ingesting {Path.GetFileName(file)} into {dataset}…",
            _ => pipeline.RunAsync([IngestInput.FromFile(file)]));
        Show.Run(result);
        return result;
    }

    private void CheckRun(IngestRunResult result, long expectedWritten, IReadOnlyList<PlantedDefect> planted)
    {
        var run = result.Run;
        var name = run.Dataset.ToString();
        checks.That($"{name}: read = written + rejected", run.RowsRead == run.RowsWritten + run.RowsRejected, $"{run.RowsRead} = {run.RowsWritten} + {run.RowsRejected}");
        checks.Equal($"{name}: rows written", expectedWritten, run.RowsWritten);
        checks.Equal($"{name}: rows rejected (planted)", (long)planted.Count, run.RowsRejected);
    }

    private async Task CheckQuarantineAsync(IReadOnlyList<PlantedDefect> planted)
    {
        var found = new List<(string File, long Line, string Reason)>();
        foreach (var dataset in new[] { Customers, Orders })
        {
            if (_query is null)
            {
                foreach (var row in await readBack.QueryAsync(LakeZone.Quarantine, dataset, "SELECT _source_file, _source_line, _reason FROM {files}"))
                {
                    found.Add(((string)row[0]!, ToLong(row[1]), (string)row[2]!));
                }

                continue;
            }

            var result = await _query.QueryAsync($"SELECT _source_file, _source_line, _reason FROM {dataset}_quarantine");
            await using (result)
            {
                await foreach (var row in result.ReadRowsAsync())
                {
                    found.Add(((string)row[0]!, ToLong(row[1]), (string)row[2]!));
                }
            }
        }

        var expected = planted.Select(d => $"{d.File}:{d.Line}").Order(StringComparer.Ordinal).ToList();
        var actual = found.Select(f => $"{f.File}:{f.Line}").Order(StringComparer.Ordinal).ToList();
        checks.Equal("quarantine holds exactly the planted rows (file:line)", string.Join(' ', expected), string.Join(' ', actual));

        foreach (var d in planted.Where(d => d.Column is not null))
        {
            var reason = found.FirstOrDefault(f => f.File == d.File && f.Line == d.Line).Reason ?? string.Empty;
            var source = _definitions[d.Dataset].FindColumn(d.Column!)?.EffectiveSourceColumn ?? d.Column!;
            checks.That($"reason for {d.File}:{d.Line} names '{d.Column}'",
                reason.Contains(d.Column!, StringComparison.Ordinal) || reason.Contains(source, StringComparison.Ordinal), $"\"{reason}\"");
        }
    }

    private IReadOnlyList<PlantedDefect> PlantedIn(string file) => [.. _extract.Defects.Where(d => d.File == Path.GetFileName(file))];

    private static Task<DatasetDefinition> ReadDefinitionAsync(string file)
        => DatasetDefinitionSerializer.ReadFileAsync(Path.Combine(AppContext.BaseDirectory, "definitions", file));

    private static long ToLong(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static DateOnly ToDateOnly(object? value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        _ => DateOnly.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
    };
}
