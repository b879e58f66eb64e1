// Ingest.Benchmarks: how fast is Ingest's local engine next to DuckDB on the same CSV → Parquet job?
//
// A console program, not a timed test: it prints ratios and fails only on a wrong answer. The variants
// alternate within each round, so machine noise hits them alike; each output is read back with DuckDB and
// compared with figures computed when the CSV was written.
//
//   dotnet run -c Release --project benchmarks/Ingest.Benchmarks -- [--rows 2000000] [--runs 3] [--no-partitioned] [--keep]
using System.Globalization;
using System.Reflection;
using Ingest.Benchmarks;

if (args is ["--child", ..])
{
    return await ChildRun.MainAsync(args);
}

var inv = CultureInfo.InvariantCulture;
var rows = 2_000_000;
var runs = 3;
var partitioned = true;
var keep = false;
var profile = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0: rows = n; i++; break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var r) && r > 0: runs = r; i++; break;
        case "--no-partitioned": partitioned = false; break;
        case "--keep": keep = true; break;
        case "--profile": profile = true; break;
        default:
            Console.Error.WriteLine($"unknown or incomplete option '{args[i]}'");
            Console.Error.WriteLine("usage: Ingest.Benchmarks [--rows N] [--runs N] [--no-partitioned] [--keep]");
            return 2;
    }
}

var projectDirectory = typeof(Variant).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .First(a => a.Key == "ProjectDirectory").Value!;
var (csv, expected) = CsvGenerator.GetOrCreate(Path.Combine(projectDirectory, "data"), rows);
var csvBytes = new FileInfo(csv).Length;
if (profile)
{
    await StageProfile.RunAsync(csv, IngestVariant.Definition(false), runs);
    return 0;
}

Console.WriteLine($"input: {csv} ({rows:N0} rows, {csvBytes / 1048576.0:0.0} MiB); {Environment.ProcessorCount} cores; {runs} rounds");
#if DEBUG
Console.WriteLine("WARNING: Debug build; run with -c Release for figures worth quoting.");
#endif

var variants = Variant.All.Where(v => partitioned || !v.Partitioned).ToList();
var measurements = variants.ToDictionary(v => v, _ => new List<ChildResult>());
var figures = new Dictionary<Variant, OutputFigures>();
var failures = new List<string>();
var root = Path.Combine(Path.GetTempPath(), $"ingest-bench-{Environment.ProcessId}");
var (warmCsv, warmExpected) = CsvGenerator.GetOrCreate(Path.Combine(projectDirectory, "data"), 10_000);

// The input comes from the page cache for every run, the first included.
using (var cache = File.OpenRead(csv))
{
    await cache.CopyToAsync(Stream.Null);
}

for (var round = 1; round <= runs; round++)
{
    foreach (var variant in variants)
    {
        var index = Variant.All.ToList().IndexOf(variant);
        var work = Path.Combine(root, $"{round}-{index}");
        var result = await ChildRun.StartAsync(index, csv, rows, warmCsv, warmExpected.Rows, work);
        if (result.Error is not null)
        {
            failures.Add($"{variant.Name}, round {round}: {result.Error}");
            Console.WriteLine($"round {round} {variant.Name,-30} FAILED: {result.Error}");
            continue;
        }

        measurements[variant].Add(result);

        // Not timed: read the output back and compare it with what the CSV holds.
        OutputFigures read;
        try
        {
            read = await Verifier.ReadAsync(result.ParquetGlob);
        }
        catch (Exception ex)
        {
            failures.Add($"{variant.Name}, round {round}: cannot read the output back: {ex.Message}");
            continue;
        }

        var wrong = read.DifferencesFrom(expected).ToList();
        failures.AddRange(wrong.Select(w => $"{variant.Name}, round {round}: {w}"));
        figures.TryAdd(variant, read);
        Console.WriteLine(string.Create(inv,
            $"round {round} {variant.Name,-30} {result.Seconds,7:0.00} s {rows / result.Seconds,12:N0} rows/s {result.OutputBytes / 1048576.0,7:0.0} MiB peak {result.PeakWorkingSet / 1048576.0,6:0} MiB (from {result.StartWorkingSet / 1048576.0:0}) {(wrong.Count == 0 ? "verified" : "WRONG")} [{read.Types}] {result.Note}{(read.LineageBytes > 0 ? $", lineage columns {read.LineageBytes / 1048576.0:0.0} MiB" : "")}"));
        if (!keep)
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

// Both engines must agree on everything, including a hash of the strings.
var hashes = figures.Values.Select(f => f.CustomerCountryHash).Distinct().ToList();
if (hashes.Count > 1)
{
    failures.Add($"the outputs disagree on sum(hash(customer, country)): {string.Join(" vs ", figures.Select(f => $"{f.Key.Name}={f.Value.CustomerCountryHash}"))}");
}

Console.WriteLine();
Console.WriteLine($"{rows:N0} rows, {csvBytes / 1048576.0:0.0} MiB CSV, median of {runs}; each run in its own process after a warm-up; peak = Process.PeakWorkingSet64 of that whole process{(PeakMemory.IsPerRun ? " during the timed run (VmHWM reset after the warm-up)" : " including the warm-up")}");
Console.WriteLine();
Console.WriteLine("| variant | median s | rows/s | Ingest/DuckDB throughput | output MiB | peak working set MiB (at start) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var variant in variants.Where(v => measurements[v].Count > 0))
{
    var m = measurements[variant];
    var median = Median(m.Select(x => x.Seconds));
    var peak = m.MaxBy(x => x.PeakWorkingSet)!;
    var reference = variants.FirstOrDefault(v => v is DuckDbVariant && v.Partitioned == variant.Partitioned && measurements[v].Count > 0);
    var ratio = variant is IngestVariant && reference is not null
        ? (Median(measurements[reference].Select(x => x.Seconds)) / median).ToString("0.00", inv)
        : "";
    Console.WriteLine(string.Create(inv,
        $"| {variant.Name} | {median:0.00} | {rows / median:N0} | {ratio} | {m[0].OutputBytes / 1048576.0:0.0} | {peak.PeakWorkingSet / 1048576.0:0} ({peak.StartWorkingSet / 1048576.0:0}) |"));
}

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

Console.WriteLine("All outputs verified: row counts, sum(amount), sum(qty), sum(order_id), sum(epoch_us(ts)), sum(length(customer)) and the string hash agree.");
return 0;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
