// Ingest.Benchmarks: how fast is Ingest's local engine next to DuckDB on the same CSV → Parquet job?
//
// A console program, not a timed test: it prints ratios and fails only on a wrong answer. The variants
// alternate within each round, so machine noise hits them alike; each output is read back with DuckDB and
// compared with figures computed when the CSV was written and with the other engine's output.
//
//   dotnet run -c Release --project benchmarks/Ingest.Benchmarks -- [--quick] [--rows N] [--runs N] [--scale-rows a,b,c]
//       [--shape-rows wide,strings] [--no-partitioned] [--no-scaling] [--no-shapes] [--profile] [--profile-strings] [--default-jit] [--keep]
//       [--work DIR] [--parquet-rows N] [--no-parquet] [--only-parquet]
using System.Globalization;
using System.Reflection;
using Ingest.Benchmarks;

if (args is ["--child", ..])
{
    return await ChildRun.MainAsync(args);
}

if (args is ["--postgres", ..])
{
    return await PostgresBenchmark.MainAsync(args);
}

if (args is ["--compaction", ..])
{
    return await CompactionBenchmark.MainAsync(args);
}

if (args is ["--s3", ..])
{
    return await S3Benchmark.MainAsync(args);
}

var inv = CultureInfo.InvariantCulture;
var rows = 2_000_000;
var runs = 5;
int[] scaleRows = [1_000_000, 2_000_000, 10_000_000];
int[] shapeRows = [500_000, 200_000];
bool partitioned = true, scaling = true, shapes = true, keep = false, profile = false, profileStrings = false, parquet = true, onlyParquet = false;
int? parquetRows = null;
var workRoot = Path.GetTempPath();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0: rows = n; i++; break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var r) && r > 0: runs = r; i++; break;
        case "--scale-rows" when i + 1 < args.Length && TryParseList(args[i + 1], out var list) && list.Length >= 2: scaleRows = list; i++; break;
        case "--shape-rows" when i + 1 < args.Length && TryParseList(args[i + 1], out var list) && list.Length == 2: shapeRows = list; i++; break;
        case "--quick": rows = 200_000; runs = 1; scaleRows = [100_000, 200_000, 1_000_000]; shapeRows = [50_000, 20_000]; break;
        case "--no-partitioned": partitioned = false; break;
        case "--no-scaling": scaling = false; break;
        case "--no-shapes": shapes = false; break;
        case "--no-parquet": parquet = false; break;
        case "--only-parquet": onlyParquet = true; break;
        case "--parquet-rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var p) && p > 0: parquetRows = p; i++; break;
        case "--keep": keep = true; break;
        case "--work" when i + 1 < args.Length && Directory.Exists(args[i + 1]): workRoot = Path.GetFullPath(args[i + 1]); i++; break;
        case "--profile": profile = true; break;
        case "--profile-strings": profile = profileStrings = true; break;
        case "--default-jit": ChildRun.DefaultJit = true; break;
        default:
            Console.Error.WriteLine($"unknown or incomplete option '{args[i]}'");
            Console.Error.WriteLine("usage: Ingest.Benchmarks [--quick] [--rows N] [--runs N] [--scale-rows a,b,c] [--shape-rows wide,strings] [--no-partitioned] [--no-scaling] [--no-shapes] [--profile] [--profile-strings] [--default-jit] [--keep] [--work DIR] [--parquet-rows N] [--no-parquet] [--only-parquet]");
            return 2;
    }
}

var projectDirectory = typeof(Variant).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .First(a => a.Key == "ProjectDirectory").Value!;
var data = Path.Combine(projectDirectory, "data");
var (csv, expected) = CsvGenerator.GetOrCreate(data, rows);
if (profile && onlyParquet)
{
    var parquetFile = Dataset.OrdersParquet.GetOrCreate(data, parquetRows ?? rows);
    await StageProfile.RunParquetAsync(parquetFile, Dataset.OrdersParquet.Definition(false), runs);
    return 0;
}

if (profileStrings)
{
    // Issue 18: where the time of the string-heavy file goes (the shapes section's strings file, unpartitioned).
    var strings = Dataset.Strings.GetOrCreate(data, shapeRows[1]);
    await StageProfile.RunAsync(strings, Dataset.Strings.Definition(false), null, runs);
    return 0;
}

if (profile)
{
    await StageProfile.RunAsync(csv, Dataset.Orders.Definition(false), Dataset.Orders.Definition(true), runs);
    return 0;
}

Console.WriteLine($"{Environment.ProcessorCount} cores; {runs} alternating rounds per comparison; every run in its own process after a warm-up on 10,000 rows; JIT: {(ChildRun.DefaultJit ? "runtime defaults (--default-jit)" : "tiered compilation off (Ingest.Benchmarks.csproj)")}");
#if DEBUG
Console.WriteLine("WARNING: Debug build; run with -c Release for figures worth quoting.");
#endif

// Where every run writes its lake or Parquet (--work): the file system's cost per file created is part of the
// partitioned figures, so a run on tmpfs (--work /dev/shm) separates it from the engines' own.
var root = Path.Combine(workRoot, $"ingest-bench-{Environment.ProcessId}");
Console.WriteLine($"outputs under {workRoot}");
var failures = new List<string>();
var report = new TargetReport();
Issue18.AddPlaceholders(report);

// 1. Throughput on the baseline file, unpartitioned and partitioned by day (skipped with --only-parquet).
if (!onlyParquet)
{
    await CsvSectionsAsync();
}

// 4. A Parquet source written by DuckDB (issue 18): Ingest ingesting it vs DuckDB copying it to Parquet.
if (parquet || onlyParquet)
{
    var n = parquetRows ?? rows;
    var dataset = Dataset.OrdersParquet;
    var file = dataset.GetOrCreate(data, n);
    var source = await Verifier.ReadFiguresAsync(dataset, file);
    var compared = await CompareAsync(dataset, file, n, [Variant.All[0], Variant.All[1]], runs, null, source);
    report.Add(Issue18.ParquetThroughput, Ratio(compared[Variant.All[1]], compared[Variant.All[0]]), 1.0, higherIsBetter: true);
    if (compared[Variant.All[0]].Count > 0)
    {
        report.AddReported($"Parquet source, Ingest's peak working set, {n:N0} rows, median of {compared[Variant.All[0]].Count}", Median(compared[Variant.All[0]].Select(x => x.PeakWorkingSet / 1048576.0)), "MiB");
    }

    if (compared[Variant.All[1]].Count > 0)
    {
        report.AddReported($"reference: DuckDB's peak working set, Parquet source, {n:N0} rows", Median(compared[Variant.All[1]].Select(x => x.PeakWorkingSet / 1048576.0)), "MiB");
    }

    if (scaling)
    {
        await ScalingAsync(dataset, "Parquet source", async size =>
        {
            var scaledFile = dataset.GetOrCreate(data, size);
            return (scaledFile, null, await Verifier.ReadFiguresAsync(dataset, scaledFile));
        });
    }
}

report.Print(Console.Out, "Targets of issues 7 and 18 (measured in this run; \"not measured\": its section was skipped, see README)");

if (!keep && Directory.Exists(root))
{
    Directory.Delete(root, recursive: true);
}

if (failures.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine($"FAILED: {failures.Count} problem(s):");
    failures.ForEach(f => Console.WriteLine($"  {f}"));
    return 1;
}

Console.WriteLine();
Console.WriteLine("All outputs verified: row counts and, per column, the sums (numbers, instants, days) or lengths and hashes (strings) agree between Ingest and DuckDB, for the baseline file with the figures computed while writing it, and for the Parquet source with the figures DuckDB reads from the source file.");
return 0;

async Task CsvSectionsAsync()
{
    var variants = Variant.All.Where(v => partitioned || !v.Partitioned).ToList();
    var orders = await CompareAsync(Dataset.Orders, csv, rows, variants, runs, expected);
    var ingest = orders[Variant.All[0]];
    var duck = orders[Variant.All[1]];
    report.Add(Issue18.OrdersUnpartitioned, Ratio(duck, ingest), 1.0, higherIsBetter: true);
    report.Add(Issue18.OrdersStretch, Ratio(duck, ingest), 1.25, higherIsBetter: true, stretch: true);
    if (partitioned)
    {
        report.Add(Issue18.OrdersPartitioned, Ratio(orders[Variant.All[3]], orders[Variant.All[2]]), 1.0, higherIsBetter: true);
        report.Add("issue 7: Ingest partitioned by day / DuckDB COPY to one file", Ratio(duck, orders[Variant.All[2]]), 1.0, higherIsBetter: true);

        // The bar of the issue 7 target, scored by DuckDB itself: its own partitioned COPY against its single file.
        report.AddReported("reference: DuckDB partitioned by day / DuckDB COPY to one file", Ratio(duck, orders[Variant.All[3]]));
    }

    if (ingest.Count > 0 && duck.Count > 0)
    {
        report.Add("issue 7: output bytes, Ingest / DuckDB (both Snappy)", (double)ingest[0].OutputBytes / duck[0].OutputBytes, 1.05, higherIsBetter: false);
    }

// 2. Wide and string-heavy shapes.
if (shapes)
{
    foreach (var (dataset, n) in new[] { (Dataset.Wide, shapeRows[0]), (Dataset.Strings, shapeRows[1]) })
    {
        var file = dataset.GetOrCreate(data, n);
        var shape = await CompareAsync(dataset, file, n, [Variant.All[0], Variant.All[1]], runs, null);
        report.Add(dataset == Dataset.Wide ? Issue18.Wide : Issue18.Strings, Ratio(shape[Variant.All[1]], shape[Variant.All[0]]), 1.0, higherIsBetter: true);
        if (shape[Variant.All[0]].Count > 0 && shape[Variant.All[1]].Count > 0)
        {
            report.AddReported($"output bytes, {dataset.Name}, Ingest / DuckDB", (double)shape[Variant.All[0]][0].OutputBytes / shape[Variant.All[1]][0].OutputBytes);
        }
    }
}

// 3. Scaling and memory: Ingest alone, unpartitioned, on growing files.
if (scaling)
{
    await ScalingAsync(Dataset.Orders, "orders CSV", size =>
    {
        var (file, fileExpected) = CsvGenerator.GetOrCreate(data, size);
        return Task.FromResult<(string, ExpectedData?, IReadOnlyList<string>?)>((file, fileExpected, null));
    });
}

}

// Ingest alone, unpartitioned, one run per size of --scale-rows: rows/s and peak working set, and the targets of
// memory (at 2,000,000 and 10,000,000 rows, and flat from the first size to the last) of issue 18 for this source.
async Task ScalingAsync(Dataset dataset, string source, Func<int, Task<(string File, ExpectedData? Expected, IReadOnlyList<string>? Figures)>> input)
{
    Console.WriteLine();
    Console.WriteLine($"## Scaling: Ingest, {source}, unpartitioned, one run per size");
    Console.WriteLine();
    Console.WriteLine("| rows | s | cpu s | rows/s | peak working set MiB (at start) | output MiB |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
    var scaled = new Dictionary<int, ChildResult>();
    foreach (var n in scaleRows)
    {
        var (file, fileExpected, figures) = await input(n);
        var results = await RunAsync(dataset, file, n, Variant.All[0], 1, fileExpected, null, figures);
        if (results.Count == 0)
        {
            continue;
        }

        var result = scaled[n] = results[0];
        Console.WriteLine(string.Create(inv, $"| {n:N0} | {result.Seconds:0.00} | {result.CpuSeconds:0.00} | {n / result.Seconds:N0} | {result.PeakWorkingSet / 1048576.0:0} ({result.StartWorkingSet / 1048576.0:0}) | {result.OutputBytes / 1048576.0:0.0} |"));
    }

    foreach (var (n, result) in scaled)
    {
        var name = Issue18.Memory(source, n);
        report.Add(name, result.PeakWorkingSet / 1048576.0, 256, higherIsBetter: false, unit: "MiB");
    }

    int small = scaleRows[0], middle = scaleRows[^2], large = scaleRows[^1];
    if (scaled.ContainsKey(small) && scaled.ContainsKey(large))
    {
        report.Add(Issue18.Flatness(source, small, large), (double)scaled[large].PeakWorkingSet / scaled[small].PeakWorkingSet, 1.10, higherIsBetter: false);
    }

    if (scaled.ContainsKey(middle) && scaled.ContainsKey(large))
    {
        var rate = (large / scaled[large].Seconds) / (middle / scaled[middle].Seconds);
        report.Add($"issue 7: scaling, {source}, rows/s at {large:N0} / rows/s at {middle:N0}", rate, 0.90, higherIsBetter: true);
    }
}

// Runs every variant `runs` times, alternating, verifies every output and prints a table.
async Task<Dictionary<Variant, List<ChildResult>>> CompareAsync(Dataset dataset, string file, int n, IReadOnlyList<Variant> compared, int rounds, ExpectedData? known, IReadOnlyList<string>? sourceFigures = null)
{
    Console.WriteLine();
    Console.WriteLine(string.Create(inv, $"## {dataset.Name}: {n:N0} rows, {new FileInfo(file).Length / 1048576.0:0.0} MiB {dataset.Format} ({dataset.Description})"));
    Console.WriteLine();
    var measured = compared.ToDictionary(v => v, _ => new List<ChildResult>());
    var outputs = new Dictionary<Variant, (IReadOnlyList<string> Figures, IReadOnlyDictionary<string, long> Columns)>();
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var variant in compared)
        {
            var results = await RunAsync(dataset, file, n, variant, round, known, outputs, sourceFigures);
            measured[variant].AddRange(results);
        }
    }

    var reference = outputs.FirstOrDefault();
    foreach (var (variant, output) in outputs.Skip(1))
    {
        var differences = output.Figures.Zip(reference.Value.Figures).Where(p => p.First != p.Second).Select(p => $"{p.First} vs {p.Second}").ToList();
        if (differences.Count > 0)
        {
            failures.Add($"{dataset.Name}: {variant.Name} and {reference.Key.Name} disagree: {string.Join("; ", differences)}");
        }
    }

    Console.WriteLine();
    Console.WriteLine($"median of {rounds}; peak = Process.PeakWorkingSet64 of the whole child process{(PeakMemory.IsPerRun ? " during the timed run" : " including the warm-up")}; cpu = user + system time of that process; allocated = managed bytes allocated during the timed run (DuckDB allocates natively), with the GC's pauses");
    Console.WriteLine();
    Console.WriteLine("| variant | median s | median cpu s | rows/s | Ingest/DuckDB throughput | output MiB | peak working set MiB (at start) | allocated MiB (GC pauses s) |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var variant in compared.Where(v => measured[v].Count > 0))
    {
        var m = measured[variant];
        var median = Median(m.Select(x => x.Seconds));
        var peak = m.MaxBy(x => x.PeakWorkingSet)!;
        var duckdb = compared.FirstOrDefault(v => v is DuckDbVariant && v.Partitioned == variant.Partitioned && measured[v].Count > 0);
        var ratio = variant is IngestVariant && duckdb is not null ? Ratio(measured[duckdb], m).ToString("0.00", inv) : "";
        Console.WriteLine(string.Create(inv,
            $"| {variant.Name} | {median:0.00} | {Median(m.Select(x => x.CpuSeconds)):0.00} | {n / median:N0} | {ratio} | {m[0].OutputBytes / 1048576.0:0.0} | {peak.PeakWorkingSet / 1048576.0:0} ({peak.StartWorkingSet / 1048576.0:0}) | {Median(m.Select(x => (double)x.AllocatedBytes)) / 1048576.0:0} ({Median(m.Select(x => x.GcPauseSeconds)):0.00}) |"));
    }

    if (outputs.TryGetValue(Variant.All[0], out var mine) && outputs.TryGetValue(Variant.All[1], out var theirs))
    {
        Console.WriteLine();
        Console.WriteLine("| column | Ingest KiB | DuckDB KiB |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var column in mine.Columns.Keys.Union(theirs.Columns.Keys))
        {
            Console.WriteLine(string.Create(inv, $"| {column} | {mine.Columns.GetValueOrDefault(column) / 1024.0:N0} | {theirs.Columns.GetValueOrDefault(column) / 1024.0:N0} |"));
        }
    }

    return measured;
}

// One timed child run of a variant; verifies its output. Returns no result when the run failed.
async Task<List<ChildResult>> RunAsync(Dataset dataset, string file, int n, Variant variant, int round, ExpectedData? known, Dictionary<Variant, (IReadOnlyList<string>, IReadOnlyDictionary<string, long>)>? outputs = null, IReadOnlyList<string>? sourceFigures = null)
{
    var warmCsv = dataset.GetOrCreate(data, 10_000);
    var work = Path.Combine(root, $"{dataset.Name}-{n}-{round}-{variant.Index}");
    var result = await ChildRun.StartAsync(dataset, variant, file, n, warmCsv, 10_000, work);
    if (result.Error is not null)
    {
        failures.Add($"{dataset.Name} {n}, {variant.Name}, round {round}: {result.Error}");
        Console.WriteLine($"round {round} {variant.Name,-26} FAILED: {result.Error}");
        return [];
    }

    // Not timed: read the output back and compare it with what the CSV holds.
    var wrong = new List<string>();
    try
    {
        var figures = await Verifier.ReadFiguresAsync(dataset, result.ParquetGlob);
        if (figures[0] != $"count(*) = {n}")
        {
            wrong.Add($"{figures[0]}, expected {n}");
        }

        if (sourceFigures is not null)
        {
            wrong.AddRange(figures.Zip(sourceFigures).Where(p => p.First != p.Second).Select(p => $"{p.First}, the source has {p.Second}"));
        }

        if (known is not null)
        {
            wrong.AddRange((await Verifier.ReadAsync(result.ParquetGlob)).DifferencesFrom(known));
        }

        if (outputs is not null && !outputs.ContainsKey(variant))
        {
            outputs[variant] = (figures, await Verifier.ColumnBytesAsync(result.ParquetGlob));
        }
    }
    catch (Exception ex) when (ex is InvalidOperationException or IOException or DuckDB.NET.Data.DuckDBException)
    {
        wrong.Add($"cannot read the output back: {ex.Message}");
    }

    failures.AddRange(wrong.Select(w => $"{dataset.Name} {n}, {variant.Name}, round {round}: {w}"));
    Console.WriteLine(string.Create(inv,
        $"round {round} {variant.Name,-26} {result.Seconds,7:0.00} s (cpu {result.CpuSeconds,5:0.00} s) {n / result.Seconds,12:N0} rows/s {result.OutputBytes / 1048576.0,7:0.0} MiB peak {result.PeakWorkingSet / 1048576.0,6:0} MiB (from {result.StartWorkingSet / 1048576.0:0}) {(wrong.Count == 0 ? "verified" : "WRONG")} {result.Note}"));
    if (!keep)
    {
        Directory.Delete(work, recursive: true);
    }

    return [result];
}

static double Ratio(List<ChildResult> duckdb, List<ChildResult> ingest)
    => duckdb.Count == 0 || ingest.Count == 0 ? double.NaN : Median(duckdb.Select(x => x.Seconds)) / Median(ingest.Select(x => x.Seconds));

static bool TryParseList(string text, out int[] values)
{
    var parts = text.Split(',');
    values = new int[parts.Length];
    for (var i = 0; i < parts.Length; i++)
    {
        if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
        {
            return false;
        }
    }

    return true;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
