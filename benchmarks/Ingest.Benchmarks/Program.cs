// Ingest.Benchmarks: how fast is Ingest's local engine next to DuckDB on the same CSV → Parquet job?
//
// A console program, not a timed test: it prints ratios and fails only on a wrong answer. The variants
// alternate within each round, so machine noise hits them alike; each output is read back with DuckDB and
// compared with figures computed when the CSV was written.
//
//   dotnet run -c Release --project benchmarks/Ingest.Benchmarks -- [--rows 2000000] [--runs 3] [--no-partitioned] [--keep]
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Ingest.Benchmarks;

var inv = CultureInfo.InvariantCulture;
var rows = 2_000_000;
var runs = 3;
var partitioned = true;
var keep = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0: rows = n; i++; break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var r) && r > 0: runs = r; i++; break;
        case "--no-partitioned": partitioned = false; break;
        case "--keep": keep = true; break;
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
Console.WriteLine($"input: {csv} ({rows:N0} rows, {csvBytes / 1048576.0:0.0} MiB); {Environment.ProcessorCount} cores; {runs} rounds");
#if DEBUG
Console.WriteLine("WARNING: Debug build; run with -c Release for figures worth quoting.");
#endif

Variant[] variants = partitioned
    ? [new IngestVariant(false), new DuckDbVariant(false), new IngestVariant(true), new DuckDbVariant(true)]
    : [new IngestVariant(false), new DuckDbVariant(false)];
var measurements = variants.ToDictionary(v => v, _ => new List<(double Seconds, long Bytes, long Peak, long Start)>());
var figures = new Dictionary<Variant, OutputFigures>();
var failures = new List<string>();
var root = Path.Combine(Path.GetTempPath(), $"ingest-bench-{Environment.ProcessId}");

// Warm-up, not timed: JIT, native library loading and the page cache would otherwise all land on round 1.
var (warmCsv, warmExpected) = CsvGenerator.GetOrCreate(Path.Combine(projectDirectory, "data"), 10_000);
foreach (var variant in variants)
{
    var work = Path.Combine(root, "warmup", variant.Name.Replace(' ', '_').Replace(',', '_'));
    Directory.CreateDirectory(work);
    try
    {
        var output = await variant.RunAsync(warmCsv, work, warmExpected.Rows);
        Console.WriteLine($"warm-up {variant.Name}: {output.Note}");
        failures.AddRange((await Verifier.ReadAsync(output.ParquetGlob)).DifferencesFrom(warmExpected).Select(w => $"{variant.Name}, warm-up: {w}"));
    }
    catch (Exception ex)
    {
        failures.Add($"{variant.Name}, warm-up: {ex.GetType().Name}: {ex.Message}");
    }
}

using (var cache = File.OpenRead(csv))
{
    await cache.CopyToAsync(Stream.Null);
}

for (var round = 1; round <= runs; round++)
{
    foreach (var variant in variants)
    {
        var work = Path.Combine(root, $"{round}-{variants.ToList().IndexOf(variant)}");
        Directory.CreateDirectory(work);
        PeakMemory.Reset();
        var start = PeakMemory.Current();
        var watch = Stopwatch.StartNew();
        RunOutput output;
        try
        {
            output = await variant.RunAsync(csv, work, rows);
        }
        catch (Exception ex)
        {
            failures.Add($"{variant.Name}, round {round}: {ex.GetType().Name}: {ex.Message}");
            Console.WriteLine($"round {round} {variant.Name,-30} FAILED: {ex.Message}");
            continue;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var peak = PeakMemory.Read();
        measurements[variant].Add((seconds, output.OutputBytes, peak, start));

        // Not timed: read the output back and compare it with what the CSV holds.
        OutputFigures read;
        try
        {
            read = await Verifier.ReadAsync(output.ParquetGlob);
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
            $"round {round} {variant.Name,-30} {seconds,7:0.00} s {rows / seconds,12:N0} rows/s {output.OutputBytes / 1048576.0,7:0.0} MiB peak {peak / 1048576.0,6:0} MiB (from {start / 1048576.0:0}) {(wrong.Count == 0 ? "verified" : "WRONG")} [{read.Types}] {output.Note}"));
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
Console.WriteLine($"{rows:N0} rows, {csvBytes / 1048576.0:0.0} MiB CSV, median of {runs}; peak = {(PeakMemory.IsPerRun ? "peak working set of the whole process during the run (VmHWM reset before each run)" : "Process.PeakWorkingSet64 since the process started")}");
Console.WriteLine();
Console.WriteLine("| variant | median s | rows/s | Ingest/DuckDB throughput | output MiB | peak working set MiB (at start) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var variant in variants.Where(v => measurements[v].Count > 0))
{
    var m = measurements[variant];
    var median = Median(m.Select(x => x.Seconds));
    var reference = variants.FirstOrDefault(v => v is DuckDbVariant && v.Partitioned == variant.Partitioned && measurements[v].Count > 0);
    var ratio = variant is IngestVariant && reference is not null
        ? (Median(measurements[reference].Select(x => x.Seconds)) / median).ToString("0.00", inv)
        : "";
    Console.WriteLine(string.Create(inv,
        $"| {variant.Name} | {median:0.00} | {rows / median:N0} | {ratio} | {m[0].Bytes / 1048576.0:0.0} | {m.Max(x => x.Peak) / 1048576.0:0} ({m.MaxBy(x => x.Peak).Start / 1048576.0:0}) |"));
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
