using System.Globalization;

namespace Ingest.Benchmarks;

/// <summary>
/// The names of issue 18's targets in the <see cref="TargetReport"/>. Every one is added first as "not measured", so the
/// table lists them all whichever sections a run skips; a section that measures one adds it again under the same name.
/// </summary>
internal static class Issue18
{
    public const string OrdersUnpartitioned = "orders CSV, both unpartitioned: Ingest / DuckDB throughput";
    public const string OrdersStretch = "stretch: orders CSV, both unpartitioned: Ingest / DuckDB throughput";
    public const string OrdersPartitioned = "orders CSV, both partitioned by day: Ingest / DuckDB throughput";
    public const string Wide = "wide CSV (40 columns): Ingest / DuckDB throughput";
    public const string Strings = "string-heavy CSV: Ingest / DuckDB throughput";
    public const string ParquetThroughput = "Parquet source (written by DuckDB): Ingest / DuckDB COPY read_parquet throughput";
    public const string Postgres = "PostgreSQL source (--postgres): Ingest / DuckDB throughput";
    public const string S3 = "S3 path (--s3): plain multipart upload of the same bytes / Ingest run, time";

    /// <summary>The sources whose memory issue 18 bounds (CSV, Parquet, PostgreSQL).</summary>
    public static IReadOnlyList<string> Sources { get; } = ["orders CSV", "Parquet source", "PostgreSQL source"];

    /// <summary>The target "peak working set at most 256 MiB" of a source at <paramref name="rows"/> rows.</summary>
    public static string Memory(string source, int rows) => string.Create(CultureInfo.InvariantCulture, $"memory: {source}, peak working set at {rows:N0} rows");

    /// <summary>The target "memory flat from 1M to 10M rows (at most 1.10×)" of a source.</summary>
    public static string Flatness(string source, int small, int large) => string.Create(CultureInfo.InvariantCulture, $"memory: {source}, peak at {large:N0} / peak at {small:N0} rows");

    /// <summary>Adds every target of issue 18 as not measured.</summary>
    public static void AddPlaceholders(TargetReport report)
    {
        report.Add(OrdersUnpartitioned, double.NaN, 1.0, higherIsBetter: true);
        report.Add(OrdersPartitioned, double.NaN, 1.0, higherIsBetter: true);
        report.Add(Wide, double.NaN, 1.0, higherIsBetter: true);
        report.Add(Strings, double.NaN, 1.0, higherIsBetter: true);
        report.Add(ParquetThroughput, double.NaN, 1.0, higherIsBetter: true);
        report.Add(Postgres, double.NaN, 1.0, higherIsBetter: true);
        report.Add(S3, double.NaN, 0.8, higherIsBetter: true);
        foreach (var source in Sources)
        {
            report.Add(Memory(source, 2_000_000), double.NaN, 256, higherIsBetter: false, unit: "MiB");
            report.Add(Memory(source, 10_000_000), double.NaN, 256, higherIsBetter: false, unit: "MiB");
            report.Add(Flatness(source, 1_000_000, 10_000_000), double.NaN, 1.10, higherIsBetter: false);
        }

        report.Add(OrdersStretch, double.NaN, 1.25, higherIsBetter: true, stretch: true);
    }
}
