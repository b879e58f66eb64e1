using System.Globalization;
using DuckDB.NET.Data;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Local;
using Ingest.Storage;

namespace Ingest.Benchmarks;

/// <summary>What a timed run produced: where its Parquet is (a glob DuckDB can read) and how many bytes.</summary>
internal sealed record RunOutput(string ParquetGlob, long OutputBytes, string? Note = null);

/// <summary>One way of turning the CSV into Parquet.</summary>
internal abstract class Variant(string name, bool partitioned)
{
    /// <summary>Gets every variant, in the order each round runs them; a child process picks one by index.</summary>
    public static IReadOnlyList<Variant> All { get; } =
        [new IngestVariant(false), new DuckDbVariant(false), new IngestVariant(true), new DuckDbVariant(true), new IngestVariant(true, TableFormat.Hive)];

    public string Name { get; } = name;

    /// <summary>Gets whether the output is partitioned by the day of the dataset's timestamp (compare like with like).</summary>
    public bool Partitioned { get; } = partitioned;

    public int Index => All.ToList().IndexOf(this);

    /// <summary>Converts <paramref name="csv"/> into Parquet under the empty folder <paramref name="work"/>; this is what is timed.</summary>
    public abstract Task<RunOutput> RunAsync(Dataset dataset, string csv, string work, long expectedRows);
}

/// <summary>
/// (a) Ingest's full local run: register the definition, CSV → validated Parquet with lineage, commit, catalog, ledger;
/// into an Iceberg table (the default), or a Hive-layout table to compare the two formats' cost.
/// </summary>
internal sealed class IngestVariant(bool partitioned, TableFormat format = TableFormat.Iceberg)
    : Variant((format == TableFormat.Hive ? "Ingest (Hive)" : "Ingest") + (partitioned ? ", PARTITION day" : string.Empty), partitioned)
{
    public override async Task<RunOutput> RunAsync(Dataset dataset, string csv, string work, long expectedRows)
    {
        var definition = dataset.Definition(Partitioned) with { Table = new TableSettings { Format = format } };

        // The local backends open their SQLite and DuckDB connections per operation: nothing to dispose.
        var backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = work });
        await backends.Registry.RegisterAsync(definition);
        var result = await new IngestPipelineBuilder(backends).ForDataset(definition.Id).Build()
            .RunAsync([IngestInput.FromFile(csv)]);
        var run = result.Run;
        if (run.RowsWritten != expectedRows || run.RowsRejected != 0)
        {
            throw new InvalidOperationException(
                $"Ingest wrote {run.RowsWritten} rows and rejected {run.RowsRejected} ({string.Join("; ", result.TopRejectReasons.Select(r => $"{r.Count}× {r.Reason}"))}); expected {expectedRows} and 0.");
        }

        long bytes = 0, raw = 0;
        await foreach (var o in backends.Lake.ListAsync(LakeZone.Curated, DatasetLayout.DatasetPrefix(definition.Id)))
        {
            bytes += o.Size;
        }

        await foreach (var o in backends.Lake.ListAsync(LakeZone.Raw, DatasetLayout.DatasetPrefix(definition.Id)))
        {
            raw += o.Size;
        }

        var curated = backends.Lake.GetAddress(LakeZone.Curated, DatasetLayout.DatasetPrefix(definition.Id));
        // The run's table is new: every Parquet file under it is live (an Iceberg table's metadata files are not Parquet).
        return new RunOutput(curated.TrimEnd('/') + "/**/*.parquet", bytes,
            string.Create(CultureInfo.InvariantCulture, $"{run.FilesWritten.Count} files, {run.PartitionsWritten.Count} partitions, raw copy {raw / 1048576.0:0.0} MiB"));
    }
}

/// <summary>(b, c) DuckDB's own CSV reader and Parquet writer, the reference for throughput and size.</summary>
internal sealed class DuckDbVariant(bool partitioned) : Variant(partitioned ? "DuckDB, PARTITION_BY day" : "DuckDB", partitioned)
{
    public override async Task<RunOutput> RunAsync(Dataset dataset, string csv, string work, long expectedRows)
    {
        var source = dataset.DuckDbSource(csv);
        string sql, glob;
        if (Partitioned)
        {
            var folder = Path.Combine(work, dataset.Name);
            sql = $"COPY (SELECT *, CAST(\"{dataset.DayColumn}\" AS DATE) AS day FROM {source}) TO {Sql.Literal(folder)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (day))";
            glob = Path.Combine(folder, "**", "*.parquet");
        }
        else
        {
            var file = Path.Combine(work, dataset.Name + ".parquet");
            sql = $"COPY (SELECT * FROM {source}) TO {Sql.Literal(file)} (FORMAT parquet, COMPRESSION snappy)";
            glob = file;
        }

        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var copied = await command.ExecuteNonQueryAsync();
        if (copied != expectedRows)
        {
            throw new InvalidOperationException($"DuckDB copied {copied} rows; expected {expectedRows}.");
        }

        var bytes = Directory.EnumerateFiles(work, "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        return new RunOutput(glob, bytes);
    }
}

internal static class Sql
{
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
