using System.Globalization;
using System.Text;
using Ingest.Definitions;
using Ingest.Definitions.Inference;
using Ingest.Engine;
using Ingest.Tests.Engine;
using Xunit.Abstractions;

namespace Ingest.Tests.Definitions.Inference;

/// <summary>
/// The quality bar of inference: for the repository's own data (the documentation's example export, the sample's
/// on-premise export, the benchmark's baseline CSV) the inferred definition ingests the file with no rejects but those the
/// report predicts, and every column's type agrees with DuckDB's own reading of the file (<c>sniff_csv</c>,
/// <c>DESCRIBE</c>) or the difference has a reason. The comparison is printed.
/// </summary>
public sealed class InferenceQualityBarTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ingest-infer-bar-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task RepositoryExamples_InferredDefinitions_IngestAsPredictedAndAgreeWithDuckDb()
    {
        var sample = new OnPremToAthena.DataGenerator(2_000).Generate(Path.Combine(_folder, "sample"));
        var (benchmark, _) = Ingest.Benchmarks.CsvGenerator.GetOrCreate(Path.Combine(_folder, "benchmark"), 5_000);
        var files = new (string Id, string Path, string Origin)[]
        {
            ("docs.orders", Path.Combine(RepositoryRoot, "docs", "examples", "orders-2024-05-01.csv"), "docs/examples"),
            ("sample.customers", sample.CustomersFile, "samples/OnPremToAthena"),
            ("sample.orders_h1", sample.OrdersFile, "samples/OnPremToAthena"),
            ("sample.orders_july", sample.OrdersJulyFile, "samples/OnPremToAthena"),
            ("bench.orders", benchmark, "benchmarks/Ingest.Benchmarks"),
        };

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"file",-26} {"column",-14} {"inferred",-24} {"duckdb",-26} verdict");
        var unexplained = new List<string>();
        foreach (var (id, path, origin) in files)
        {
            var inferred = await DefinitionInference.InferAsync([IngestInput.FromFile(path)], new DefinitionInferenceOptions { Id = DatasetId.Parse(id) });
            output.WriteLine($"=== {Path.GetFileName(path)} ({origin})");
            output.WriteLine(inferred.Report.ToString());

            // 0 rejects but those the report predicts: what inference accepted, a run accepts.
            using var harness = new EngineHarness();
            await harness.RegisterAsync(inferred.Definition);
            var run = await harness.RunAsync(inferred.Definition.Id, IngestInput.FromFile(path));
            run.Run.RowsRejected.Should().Be(inferred.Report.RecordsRejected, $"{id}: the report predicts the run's rejects");
            run.Run.RowsWritten.Should().Be(run.Run.RowsRead - run.Run.RowsRejected);

            var csv = inferred.Definition.Source.Format == SourceFormat.Csv;
            var duck = Describe(path, inferred.Definition.Source);
            if (csv)
            {
                // The dialect: DuckDB's sniffer on its own, compared with ours.
                var sniff = EngineHarness.Query($"select Delimiter, HasHeader, len(Columns) from sniff_csv('{path}')").Single();
                var ours = inferred.Definition.Source.Csv;
                var (delimiter, header, width) = ((string)sniff[0]!, (bool)sniff[1]!, Convert.ToInt32(sniff[2], CultureInfo.InvariantCulture));
                var dialect = delimiter == ours.Delimiter && header == ours.Header
                    ? "same"
                    : width == 1
                        ? $"explained: DuckDB's sniffer chose delimiter '{delimiter}', which reads the file as one column; ours splits it into {inferred.Report.Columns.Count} with {inferred.Report.RecordsRejected} ragged record(s)"
                        : null;
                table.AppendLine(CultureInfo.InvariantCulture, $"{Path.GetFileName(path),-26} {"(dialect)",-14} {$"'{ours.Delimiter}' header {ours.Header}",-24} {$"'{delimiter}' header {header}",-26} {dialect ?? "UNEXPLAINED"}");
                if (dialect is null)
                {
                    unexplained.Add($"{id}: dialect '{ours.Delimiter}' header {ours.Header}, DuckDB '{delimiter}' header {header}");
                }
            }

            foreach (var column in inferred.Report.Columns)
            {
                var source = column.SourceColumn ?? column.Name;
                var duckType = duck.GetValueOrDefault(source, "(none)");
                var verdict = Verdict(column, duckType);
                table.AppendLine(CultureInfo.InvariantCulture, $"{Path.GetFileName(path),-26} {column.Name,-14} {column.Type + (column.Format is { Length: > 0 } f ? $" ({f})" : string.Empty),-24} {duckType,-26} {verdict ?? "UNEXPLAINED"}");
                if (verdict is null)
                {
                    unexplained.Add($"{id}.{column.Name}: inferred {column.Type}, DuckDB {duckType} ({column.Reason})");
                }
            }
        }

        output.WriteLine("=== inferred types against DuckDB");
        output.WriteLine(table.ToString());
        unexplained.Should().BeEmpty();
    }

    /// <summary>Why the inferred type and DuckDB's may differ, or null when nothing explains it.</summary>
    internal static string? Verdict(InferredColumn column, string duck)
    {
        var integral = duck is "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT";
        return column.Type.Kind switch
        {
            ColumnKind.String when duck == "VARCHAR" => "same",
            ColumnKind.String when integral && column.Reason.Contains("leading zeros", StringComparison.Ordinal) => "explained: identifiers with leading zeros stay text",
            ColumnKind.Boolean when duck == "BOOLEAN" => "same",
            ColumnKind.Int32 when duck == "INTEGER" => "same",
            ColumnKind.Int32 when integral => "same kind: DuckDB reads every whole number as BIGINT; int32 holds the sampled range",
            ColumnKind.Int64 when duck is "BIGINT" or "HUGEINT" => "same",
            ColumnKind.Decimal when duck.StartsWith("DECIMAL", StringComparison.Ordinal) => "same kind: decimal",
            ColumnKind.Decimal when duck == "DOUBLE" => "explained: decimal keeps amounts exact, DuckDB's sniffer reads them as DOUBLE",
            ColumnKind.Decimal when integral => "explained: wider than int64, DuckDB uses a larger integer",
            ColumnKind.Double or ColumnKind.Float when duck is "DOUBLE" or "FLOAT" => "same",
            ColumnKind.Date when duck == "DATE" => "same",
            ColumnKind.Date when duck == "VARCHAR" && column.Format is not "yyyy-MM-dd" => $"explained: DuckDB's sniffer does not read dates as {column.Format}",
            ColumnKind.Timestamp when duck.StartsWith("TIMESTAMP", StringComparison.Ordinal) => "same",
            ColumnKind.Timestamp when duck == "VARCHAR" && column.Format is { Length: > 0 } => $"explained: DuckDB's sniffer does not read timestamps as {column.Format}",
            _ => null,
        };
    }

    /// <summary>DuckDB's types of the file's columns, its sniffer given the dialect inference found (the types are compared, not the dialect twice).</summary>
    private static Dictionary<string, string> Describe(string path, SourceDefinition source)
    {
        var delimiter = source.Csv.Delimiter == "\\t" ? "\t" : source.Csv.Delimiter;
        var reader = source.Format == SourceFormat.Csv
            ? $"read_csv('{path}', delim = '{delimiter}', header = {source.Csv.Header.ToString().ToLowerInvariant()}, ignore_errors = true)"
            : $"read_json('{path}', ignore_errors = true)";
        return EngineHarness.Query($"select column_name, column_type from (describe select * from {reader})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!, StringComparer.Ordinal);
    }

    private static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("The repository root (Ingest.sln) was not found above " + AppContext.BaseDirectory);
        }
    }
}
