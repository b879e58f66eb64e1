using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Engine.Reading;
using Ingest.Engine.Writing;
using Ingest.Local;
using Ingest.Storage;

namespace Ingest.Benchmarks;

/// <summary>
/// Where the time of a run goes: the engine's stages run cumulatively, one thread, in this process
/// (<c>--profile</c>). Each line adds one stage to the previous one, so the difference between two lines
/// is the cost of the stage added. CPU time (user + system of the whole process, including the garbage
/// collector and the row-group encoding on the thread pool) is less sensitive to a busy machine than wall time.
/// </summary>
internal static class StageProfile
{
    public static async Task RunAsync(string csv, DatasetDefinition definition, DatasetDefinition? partitioned, int rounds)
    {
        var stages = new (string Name, Func<string, string, Task<long>> Run)[]
        {
            ("read the file (page cache)", (file, _) => ReadAsync(file)),
            ("copy + SHA-256 (raw zone)", CopyAsync),
            ("+ parse CSV (CsvSourceReader)", (file, work) => PipelineAsync(file, work, definition, process: false, write: false)),
            ("+ convert, validate, lineage (RowProcessor)", (file, work) => PipelineAsync(file, work, definition, process: true, write: false)),
            ("+ column buffers and Parquet (StagedParquetWriter)", (file, work) => PipelineAsync(file, work, definition, process: true, write: true)),
            ("the whole run (IngestPipeline: + raw copy, commit, ledger, catalog)", (file, work) => FullAsync(file, work, definition)),
            ("partitioned by day: StagedParquetWriter stage", (file, work) => PipelineAsync(file, work, partitioned!, process: true, write: true)),
            ("partitioned by day: the whole run", (file, work) => FullAsync(file, work, partitioned!)),
        };
        if (partitioned is null)
        {
            stages = stages[..6];
        }

        await RunStagesAsync(csv, stages, rounds);
    }

    /// <summary>The stages of a Parquet source (issue 18): decoding the column chunks, then the same stages as CSV.</summary>
    public static async Task RunParquetAsync(string parquet, DatasetDefinition definition, int rounds)
    {
        var stages = new (string Name, Func<string, string, Task<long>> Run)[]
        {
            ("read the file (page cache)", (file, _) => ReadAsync(file)),
            ("copy + SHA-256 (raw zone)", CopyAsync),
            ("+ decode column chunks (ParquetSourceReader)", (file, work) => PipelineAsync(file, work, definition, process: false, write: false)),
            ("+ convert, validate, lineage (RowProcessor)", (file, work) => PipelineAsync(file, work, definition, process: true, write: false)),
            ("+ column buffers and Parquet (StagedParquetWriter)", (file, work) => PipelineAsync(file, work, definition, process: true, write: true)),
            ("the whole run (IngestPipeline: + raw copy, commit, ledger, catalog)", (file, work) => FullAsync(file, work, definition)),
        };
        await RunStagesAsync(parquet, stages, rounds);
    }

    private static async Task RunStagesAsync(string csv, (string Name, Func<string, string, Task<long>> Run)[] stages, int rounds)
    {
        var inv = CultureInfo.InvariantCulture;

        var times = stages.Select(_ => new List<double>()).ToArray();
        var cpus = stages.Select(_ => new List<double>()).ToArray();
        var gcs = stages.Select(_ => new List<(double Pause, int Gen0, int Gen2, long Allocated)>()).ToArray();
        var root = Path.Combine(Path.GetTempPath(), $"ingest-profile-{Environment.ProcessId}");
        for (var round = 0; round <= rounds; round++)
        {
            for (var s = 0; s < stages.Length; s++)
            {
                var work = Path.Combine(root, $"{round}-{s}");
                Directory.CreateDirectory(work);
                GC.Collect();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var (pause, gen0, gen2, allocated) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
                var watch = Stopwatch.StartNew();
                await stages[s].Run(csv, work);
                if (round > 0)
                {
                    times[s].Add(watch.Elapsed.TotalSeconds); // round 0 warms up the JIT
                    cpus[s].Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
                    gcs[s].Add(((GC.GetTotalPauseDuration() - pause).TotalSeconds, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, GC.GetTotalAllocatedBytes() - allocated));
                }

                Directory.Delete(work, recursive: true);
            }
        }

        Directory.Delete(root, recursive: true);
        Console.WriteLine("| stage (cumulative) | median s | added s | median cpu s | added cpu s | GC pause s, gen0/gen2 collections, allocated MiB (last round) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        double previous = 0, previousCpu = 0;
        for (var s = 0; s < stages.Length; s++)
        {
            var (median, cpu) = (Median(times[s]), Median(cpus[s]));
            var first = s <= 1 || s >= 5;
            Console.WriteLine(string.Create(inv, $"| {stages[s].Name} | {median:0.00} | {(first ? median : median - previous):0.00} | {cpu:0.00} | {(first ? cpu : cpu - previousCpu):0.00} | {gcs[s][^1].Pause:0.00}, {gcs[s][^1].Gen0}/{gcs[s][^1].Gen2}, {gcs[s][^1].Allocated / 1048576.0:N0} |"));
            (previous, previousCpu) = s == 0 ? (0, 0) : (median, cpu);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<long> FullAsync(string file, string work, DatasetDefinition definition)
    {
        var backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = work });
        await backends.Registry.RegisterAsync(definition);
        var result = await new IngestPipelineBuilder(backends).ForDataset(definition.Id).Build().RunAsync([IngestInput.FromFile(file)]);
        return result.Run.RowsWritten;
    }

    private static async Task<long> ReadAsync(string file)
    {
        await using var stream = File.OpenRead(file);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static async Task<long> CopyAsync(string file, string work)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var source = File.OpenRead(file);
        await using var target = File.Create(Path.Combine(work, "raw.csv"));
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read));
            total += read;
        }

        return total;
    }

    private static async Task<long> PipelineAsync(string file, string work, DatasetDefinition definition, bool process, bool write)
    {
        var lake = LocalIngest.CreateBackends(new LocalIngestOptions { Root = work }).Lake;
        var runId = "profile";
        var now = DateTime.UtcNow;
        var columns = definition.Columns.Select(c => c.EffectiveSourceColumn).ToList();
        ISourceReader reader = definition.Source.Format == SourceFormat.Parquet
            ? new ParquetSourceReader(Path.GetFileName(file), columns, _ => Task.FromResult<Stream>(File.OpenRead(file)))
            : new CsvSourceReader(Path.GetFileName(file), definition.Source, columns, _ => Task.FromResult<Stream>(File.OpenRead(file)));
        var rows = new RowProcessor(definition, runId, now, DateOnly.FromDateTime(now), []);
        var curated = new StagedParquetWriter(
            lake, LakeZone.Curated, DatasetLayout.CuratedFileColumns(definition), "staging/", "final/", runId, "part",
            definition.Write, ((long)definition.Engine.MemoryBudgetMb << 20) * 3 / 4, 64);
        long count = 0;
        await using (curated)
        await using (reader)
        {
            await reader.OpenAsync(CancellationToken.None);
            var mapping = rows.MapColumns(file, reader.Header, true);
            var record = new SourceRecord(reader.Header.Count);
            while (await reader.ReadAsync(record, CancellationToken.None))
            {
                count++;
                if (!process)
                {
                    continue;
                }

                var outcome = rows.Process(file, record, mapping);
                if (outcome.Rejection is not null)
                {
                    throw new InvalidOperationException($"line {record.Line} rejected: {outcome.Rejection.ReasonKey}");
                }

                if (write)
                {
                    await curated.AddAsync(outcome.PartitionPath!, outcome.FileValues!, outcome.FileBits, outcome.Characters, CancellationToken.None);
                }
            }

            if (write)
            {
                await curated.CompleteAsync(CancellationToken.None);
            }
        }

        return count;
    }
}
