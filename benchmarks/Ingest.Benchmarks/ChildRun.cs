using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Ingest.Benchmarks;

/// <summary>What a child process reports about its timed run.</summary>
internal sealed record ChildResult(double Seconds, long OutputBytes, string ParquetGlob, string? Note, long PeakWorkingSet, long StartWorkingSet, string? Error, double CpuSeconds = 0, long AllocatedBytes = 0, int Collections = 0, double GcPauseSeconds = 0);

/// <summary>
/// Each timed run happens in a fresh process, so that its peak working set is its own (not the residue of
/// earlier runs' heaps and native allocators) and no run inherits another's warm caches or GC state. The
/// child warms up on a small file first (JIT, native libraries), then resets the peak and times the run.
/// </summary>
internal static class ChildRun
{
    private const string Marker = "RESULT ";

    /// <summary>Gets or sets whether children run with the runtime's default tiered JIT instead of the project's settings.</summary>
    public static bool DefaultJit { get; set; }

    /// <summary>Starts a child for one variant and returns what it reports.</summary>
    public static async Task<ChildResult> StartAsync(Dataset dataset, Variant variant, string csv, long rows, string warmCsv, long warmRows, string work)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var self = Environment.ProcessPath!;
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in new[] { "--child", dataset.Name, variant.Index.ToString(CultureInfo.InvariantCulture), csv, rows.ToString(CultureInfo.InvariantCulture), warmCsv, warmRows.ToString(CultureInfo.InvariantCulture), work })
        {
            start.ArgumentList.Add(arg);
        }

        if (DefaultJit)
        {
            start.Environment["DOTNET_TieredCompilation"] = "1";
            start.Environment["DOTNET_TieredPGO"] = "1";
            start.Environment["DOTNET_TC_QuickJitForLoops"] = "1";
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = (await stdout).Split('\n').LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        return line is null
            ? new ChildResult(0, 0, string.Empty, null, 0, 0, $"the child exited with {process.ExitCode} and no result: {(await stderr).Trim()}")
            : JsonSerializer.Deserialize<ChildResult>(line[Marker.Length..])!;
    }

    /// <summary>The child's side: <c>--child dataset variant csv rows warmCsv warmRows work</c>.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var dataset = Dataset.Find(args[1]);
        var variant = Variant.All[int.Parse(args[2], inv)];
        var (csv, rows, warmCsv, warmRows, work) = (args[3], long.Parse(args[4], inv), args[5], long.Parse(args[6], inv), args[7]);
        ChildResult result;
        try
        {
            var warm = Path.Combine(work, "warm-up");
            Directory.CreateDirectory(warm);
            await variant.RunAsync(dataset, warmCsv, warm, warmRows);
            Directory.Delete(warm, recursive: true);

            var run = Path.Combine(work, "run");
            Directory.CreateDirectory(run);
            PeakMemory.Reset();
            var startWorkingSet = PeakMemory.Current();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            using var sampler = AllocationSampler.StartIfAsked();
            sampler?.Record();
            var (allocated, collections, paused) = (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.GetTotalPauseDuration());
            var watch = Stopwatch.StartNew();
            var output = await variant.RunAsync(dataset, csv, run, rows);
            var seconds = watch.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            sampler?.Print(Console.Error);
            result = new ChildResult(seconds, output.OutputBytes, output.ParquetGlob, output.Note, PeakMemory.Read(), startWorkingSet, null, cpuSeconds)
            {
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated,
                Collections = GC.CollectionCount(0) - collections,
                GcPauseSeconds = (GC.GetTotalPauseDuration() - paused).TotalSeconds,
            };
        }
        catch (Exception ex)
        {
            result = new ChildResult(0, 0, string.Empty, null, 0, 0, $"{ex.GetType().Name}: {ex.Message}");
        }

        Console.WriteLine(Marker + JsonSerializer.Serialize(result));
        return result.Error is null ? 0 : 1;
    }
}
