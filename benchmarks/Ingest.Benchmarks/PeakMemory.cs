using System.Diagnostics;

namespace Ingest.Benchmarks;

/// <summary>
/// The peak resident set of this process. On Linux the high-water mark can be reset (write 5 to
/// /proc/self/clear_refs), which gives a peak per timed run; elsewhere it is the peak since the process
/// started. Either way it is the whole process: managed heap, native Parquet/DuckDB buffers, mapped files.
/// </summary>
internal static class PeakMemory
{
    private const string ClearRefs = "/proc/self/clear_refs";

    public static bool IsPerRun { get; private set; } = File.Exists(ClearRefs);

    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!IsPerRun)
        {
            return;
        }

        try
        {
            File.WriteAllText(ClearRefs, "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            IsPerRun = false;
        }
    }

    /// <summary>Returns <see cref="Process.WorkingSet64"/>: what the process holds before a run (the peak cannot go below it).</summary>
    public static long Current()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Returns <see cref="Process.PeakWorkingSet64"/> (VmHWM on Linux, so it honours the reset).</summary>
    public static long Read()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
