using System.Diagnostics;
using System.Globalization;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Local;
using Ingest.Registry;

namespace Ingest.Benchmarks;

/// <summary>
/// <c>--compaction [--partitions N] [--files N] [--rows N]</c>: a table of N daily partitions × N small files (one run
/// per file), compacted and expired by <see cref="TableMaintenance"/>; prints the time of each step, the data files,
/// the bytes the manifests say a whole-table and a one-day query would scan (the <c>--estimate</c> figures) and the
/// time of a DuckDB query over the table, before and after, with the rows and sums verified equal.
/// </summary>
internal static class CompactionBenchmark
{
    public static async Task<int> MainAsync(string[] args)
    {
        int partitions = 365, files = 10, rows = 20;
        var inv = CultureInfo.InvariantCulture;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--partitions" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var p) && p is > 0 and <= 3650: partitions = p; i++; break;
                case "--files" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var f) && f > 1: files = f; i++; break;
                case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var r) && r > 0: rows = r; i++; break;
                default:
                    Console.Error.WriteLine($"unknown or incomplete option '{args[i]}'; usage: Ingest.Benchmarks --compaction [--partitions N] [--files N] [--rows N (per partition and run)]");
                    return 2;
            }
        }

        var root = Path.Combine(Path.GetTempPath(), "ingest-compaction-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = root });
            var registered = await backends.Registry.RegisterAsync(Definition());
            var pipeline = new IngestPipelineBuilder(backends).ForDataset(registered.Dataset).Build();
            var writing = Stopwatch.StartNew();
            for (var run = 0; run < files; run++)
            {
                var csv = Path.Combine(root, $"run{run}.csv");
                WriteCsv(csv, run, partitions, rows);
                var result = await pipeline.RunAsync([IngestInput.FromFile(csv)]);
                if (result.Run.Status != RunStatus.Succeeded || result.Run.RowsRejected != 0)
                {
                    throw new InvalidOperationException($"run {run} did not ingest every row: {result.Run.Status}, {result.Run.RowsRejected} rejected");
                }
            }

            writing.Stop();
            Console.WriteLine($"# Compaction: {partitions} daily partitions x {files} small files ({rows} rows per partition and run), {files} runs in {writing.Elapsed.TotalSeconds:F1} s");
            var before = await MeasureAsync(backends, registered);

            var compaction = Stopwatch.StartNew();
            var compacted = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new MaintenanceOptions { Steps = MaintenanceSteps.Compact });
            compaction.Stop();
            var expiry = Stopwatch.StartNew();
            var expired = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new MaintenanceOptions { Steps = MaintenanceSteps.ExpireSnapshots | MaintenanceSteps.RemoveOrphans, RetainFor = TimeSpan.Zero, RetainLast = 1, OrphanGrace = TimeSpan.Zero });
            expiry.Stop();
            var after = await MeasureAsync(backends, registered);

            if (after.Count != before.Count || after.Sum != before.Sum)
            {
                Console.Error.WriteLine($"VERIFY FAILED: {before.Count} rows, sum {before.Sum} before; {after.Count} rows, sum {after.Sum} after");
                return 1;
            }

            Console.WriteLine();
            Console.WriteLine("| | before | after |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine($"| data files | {before.Files:N0} | {after.Files:N0} |");
            Console.WriteLine($"| estimated bytes, whole table | {before.WholeTable:N0} | {after.WholeTable:N0} |");
            Console.WriteLine($"| estimated bytes, one day (`order_date = ?`) | {before.OneDay:N0} | {after.OneDay:N0} |");
            Console.WriteLine($"| DuckDB count and sum over the table | {before.QueryTime.TotalMilliseconds:N0} ms | {after.QueryTime.TotalMilliseconds:N0} ms |");
            Console.WriteLine();
            Console.WriteLine($"compaction: {compacted.Compaction!.FilesRemoved:N0} files in {compacted.Compaction.Partitions:N0} partitions rewritten into {compacted.Compaction.FilesAdded:N0} in {compaction.Elapsed.TotalSeconds:F1} s; " +
                $"expiry and orphans: {expired.Expiry!.Expired.Count} snapshots, {expired.Expiry.DataFilesDeleted:N0} data files, {expired.BytesSaved:N0} bytes deleted in {expiry.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"verified: {after.Count:N0} rows, sum of amount {after.Sum.ToString(CultureInfo.InvariantCulture)} before and after");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(long Count, decimal Sum, int Files, long WholeTable, long OneDay, TimeSpan QueryTime)> MeasureAsync(IngestBackends backends, RegisteredDefinition registered)
    {
        var whole = await ScanEstimates.EstimateAsync("SELECT sum(amount) FROM sales.orders", [registered], backends.Lake, backends.IcebergCatalog!);
        var oneDay = await ScanEstimates.EstimateAsync("SELECT sum(amount) FROM sales.orders WHERE order_date = ?", [registered], backends.Lake, backends.IcebergCatalog!, new QueryOptions { Parameters = [new DateOnly(2023, 6, 1)] });
        var clock = Stopwatch.StartNew();
        await using var result = await backends.Query!.QueryAsync("SELECT count(*), sum(amount) FROM sales.orders");
        (long, decimal) values = default;
        await foreach (var row in result.ReadRowsAsync())
        {
            values = (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToDecimal(row[1], CultureInfo.InvariantCulture));
        }

        clock.Stop();
        return (values.Item1, values.Item2, whole.Tables.Sum(t => t.TotalFiles), whole.Bytes, oneDay.Bytes, clock.Elapsed);
    }

    private static DatasetDefinition Definition() => DatasetDefinitionSerializer.Deserialize("""
        {
          "id": "sales.orders",
          "source": { "format": "csv" },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "order_date", "type": "date", "nullable": false },
            { "name": "country", "type": "string" },
            { "name": "amount", "type": "decimal(18,2)" }
          ],
          "partitioning": [{ "column": "order_date", "transform": "day" }]
        }
        """);

    private static void WriteCsv(string path, int run, int partitions, int rows)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("order_id,order_date,country,amount");
        var start = new DateOnly(2023, 1, 1);
        for (var d = 0; d < partitions; d++)
        {
            var day = start.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            for (var i = 0; i < rows; i++)
            {
                var id = ((long)run * partitions * rows) + ((long)d * rows) + i;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id},{day},{(i % 3 == 0 ? "DE" : "FR")},{(id % 89) + 0.5m}"));
            }
        }
    }
}
