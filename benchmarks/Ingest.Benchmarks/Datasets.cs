using System.Globalization;
using System.Text;
using Ingest.Definitions;

namespace Ingest.Benchmarks;

/// <summary>One column of a benchmark dataset: its Ingest type and the DuckDB type of the same data.</summary>
internal sealed record BenchColumn(string Name, ColumnType Type, string DuckDbType, bool Nullable = true);

/// <summary>
/// A benchmark input: columns, how to generate N seeded rows of CSV, and the figures DuckDB computes from
/// an output to check it (row count; sums of numbers, instants, days; lengths and hashes of strings).
/// </summary>
internal abstract class Dataset(string name, string description)
{
    public static Dataset Orders { get; } = new OrdersDataset();

    public static Dataset Wide { get; } = new WideDataset();

    public static Dataset Strings { get; } = new StringsDataset();

    public static Dataset OrdersParquet { get; } = new OrdersParquetDataset();

    public static IReadOnlyList<Dataset> All { get; } = [Orders, Wide, Strings, OrdersParquet];

    /// <summary>Gets the format of the dataset's input file.</summary>
    public virtual SourceFormat Format => SourceFormat.Csv;

    /// <summary>The DuckDB table function that reads <paramref name="file"/> with the dataset's columns and types.</summary>
    public virtual string DuckDbSource(string file)
        => $"read_csv({Sql.Literal(file)}, header = true, columns = {{{string.Join(", ", Columns.Select(c => $"'{c.Name}': '{c.DuckDbType}'"))}}})";

    public string Name { get; } = name;

    public string Description { get; } = description;

    public abstract IReadOnlyList<BenchColumn> Columns { get; }

    /// <summary>Gets the column to partition by day (a timestamp), if the dataset has one.</summary>
    public virtual string? DayColumn => null;

    public static Dataset Find(string name) => All.First(d => d.Name == name);

    public DatasetDefinition Definition(bool partitioned) => new()
    {
        Id = DatasetId.Parse($"bench.{Name}"),
        Source = new SourceDefinition { Format = Format },
        Columns = [.. Columns.Select(c => new ColumnDefinition { Name = c.Name, Type = c.Type, Nullable = c.Nullable })],
        Partitioning = partitioned ? [new PartitionField { Column = DayColumn!, Transform = PartitionTransform.Day }] : [],
    };

    /// <summary>Returns the cached CSV of <paramref name="rows"/> rows, generating it first if needed.</summary>
    public virtual string GetOrCreate(string folder, int rows)
    {
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(folder, $"{Name}-{rows}.csv");
        if (!File.Exists(csv))
        {
            Console.WriteLine($"generating {rows:N0} rows into {csv} …");
            using (var writer = new StreamWriter(csv + ".tmp", append: false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" })
            {
                writer.WriteLine(string.Join(',', Columns.Select(c => c.Name)));
                var random = new Random(20251125);
                var line = new StringBuilder(1024);
                for (var i = 0; i < rows; i++)
                {
                    line.Clear();
                    WriteRow(line, i, random);
                    writer.WriteLine(line);
                }
            }

            File.Move(csv + ".tmp", csv, overwrite: true);
        }

        return csv;
    }

    protected abstract void WriteRow(StringBuilder line, int index, Random random);

    /// <summary>The SQL expressions whose values any correct output of this dataset shares.</summary>
    public IEnumerable<(string Label, string Sql)> Figures()
    {
        yield return ("count(*)", "count(*)");
        foreach (var c in Columns)
        {
            var q = $"\"{c.Name}\"";
            switch (c.Type.Kind)
            {
                case ColumnKind.String:
                    yield return ($"sum(length({c.Name}))", $"sum(length({q}))");
                    yield return ($"sum(hash({c.Name}))", $"sum(hash({q}))");
                    break;
                case ColumnKind.Timestamp:
                    yield return ($"sum(epoch_us({c.Name}))", $"sum(epoch_us({q}))");
                    break;
                case ColumnKind.Date:
                    yield return ($"sum(days({c.Name}))", $"sum(date_diff('day', DATE '1970-01-01', {q}))");
                    break;
                case ColumnKind.Boolean:
                    yield return ($"count_if({c.Name})", $"count_if({q})");
                    break;
                case ColumnKind.Double or ColumnKind.Float:
                    // Exact whatever the order of summation: the CSV holds at most four decimals.
                    yield return ($"sum({c.Name})", $"sum(CAST({q} AS DECIMAL(38,4)))");
                    break;
                default:
                    yield return ($"sum({c.Name})", $"sum({q})");
                    break;
            }
        }
    }
}

/// <summary>The baseline of TOOLCHAIN.md: six columns, sorted by time over one year (see <see cref="CsvGenerator"/>).</summary>
internal sealed class OrdersDataset() : Dataset("orders", "order_id bigint, customer, amount decimal(18,2), ts timestamp, country, qty int; sorted by ts over one year")
{
    public override IReadOnlyList<BenchColumn> Columns { get; } =
    [
        new("order_id", ColumnType.Int64, "BIGINT", Nullable: false),
        new("customer", ColumnType.String, "VARCHAR"),
        new("amount", ColumnType.Decimal(18, 2), "DECIMAL(18,2)"),
        new("ts", ColumnType.Timestamp, "TIMESTAMP"),
        new("country", ColumnType.String, "VARCHAR"),
        new("qty", ColumnType.Int32, "INTEGER"),
    ];

    public override string? DayColumn => "ts";

    public override string GetOrCreate(string folder, int rows) => CsvGenerator.GetOrCreate(folder, rows).Path;

    protected override void WriteRow(StringBuilder line, int index, Random random) => throw new NotSupportedException();
}

/// <summary>40 columns of eight types in turn: many small values per row, the cost per column dominates.</summary>
internal sealed class WideDataset() : Dataset("wide", "40 columns: id bigint and 39 of int, decimal(12,2), double, short string, timestamp, bigint, date, boolean in turn")
{
    private static readonly (ColumnType Type, string DuckDb)[] Kinds =
    [
        (ColumnType.Int32, "INTEGER"), (ColumnType.Decimal(12, 2), "DECIMAL(12,2)"), (ColumnType.Double, "DOUBLE"), (ColumnType.String, "VARCHAR"),
        (ColumnType.Timestamp, "TIMESTAMP"), (ColumnType.Int64, "BIGINT"), (ColumnType.Date, "DATE"), (ColumnType.Boolean, "BOOLEAN"),
    ];

    private static readonly string[] Codes = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];

    public override IReadOnlyList<BenchColumn> Columns { get; } =
        [new("id", ColumnType.Int64, "BIGINT", Nullable: false), .. Enumerable.Range(1, 39).Select(i => new BenchColumn($"c{i:D2}_{Kinds[(i - 1) % Kinds.Length].Type.Kind.ToString().ToLowerInvariant()}", Kinds[(i - 1) % Kinds.Length].Type, Kinds[(i - 1) % Kinds.Length].DuckDb))];

    protected override void WriteRow(StringBuilder line, int index, Random random)
    {
        var inv = CultureInfo.InvariantCulture;
        line.Append(index);
        for (var i = 0; i < 39; i++)
        {
            line.Append(',');
            if (random.Next(50) == 0)
            {
                continue; // about 2 % empty fields: nulls
            }

            switch (i % Kinds.Length)
            {
                case 0: line.Append(random.Next(-100_000, 100_000)); break;
                case 1: line.Append((random.Next(0, 10_000_000) / 100m).ToString("0.00", inv)); break;
                case 2: line.Append((random.Next(0, 100_000_000) / 10_000.0).ToString("0.####", inv)); break;
                case 3: line.Append(Codes[random.Next(Codes.Length)]).Append('-').Append(random.Next(100)); break;
                case 4: line.Append(new DateTime(2025, 1, 1).AddSeconds(random.Next(0, 31_536_000)).ToString("yyyy-MM-dd HH:mm:ss", inv)); break;
                case 5: line.Append(random.NextInt64(0, 1L << 40)); break;
                case 6: line.Append(new DateOnly(2020, 1, 1).AddDays(random.Next(0, 2000)).ToString("yyyy-MM-dd", inv)); break;
                default: line.Append(random.Next(2) == 0 ? "true" : "false"); break;
            }
        }
    }
}

/// <summary>Rows dominated by long text (about 700 characters), some quoted with commas, quotes and line breaks.</summary>
internal sealed class StringsDataset() : Dataset("strings", "id bigint, title (~40 chars), body (~450 chars, some quoted with commas, quotes, line breaks), note (~200 chars), tag")
{
    private static readonly string[] Words =
    [
        "order", "delivery", "customer", "invoice", "warehouse", "shipment", "payment", "return", "product", "price",
        "quality", "the", "and", "of", "to", "in", "was", "for", "with", "on", "late", "damaged", "excellent", "refund",
        "package", "tracking", "address", "Berlin", "Vienna", "Zürich", "München", "Köln", "service", "support", "ticket",
    ];

    public override IReadOnlyList<BenchColumn> Columns { get; } =
    [
        new("id", ColumnType.Int64, "BIGINT", Nullable: false),
        new("title", ColumnType.String, "VARCHAR"),
        new("body", ColumnType.String, "VARCHAR"),
        new("note", ColumnType.String, "VARCHAR"),
        new("tag", ColumnType.String, "VARCHAR"),
    ];

    protected override void WriteRow(StringBuilder line, int index, Random random)
    {
        line.Append(index).Append(',');
        AppendWords(line, random, 40);
        line.Append(',');
        if (random.Next(10) == 0)
        {
            // RFC 4180: a quoted field with a delimiter, a doubled quote and a line break inside.
            line.Append('"');
            AppendWords(line, random, 200);
            line.Append(", he said \"\"urgent\"\"\n");
            AppendWords(line, random, 200);
            line.Append('"');
        }
        else
        {
            AppendWords(line, random, 450);
        }

        line.Append(',');
        AppendWords(line, random, 200);
        line.Append(',').Append("tag-").Append(random.Next(20));
    }

    private static void AppendWords(StringBuilder line, Random random, int length)
    {
        var start = line.Length;
        while (line.Length - start < length)
        {
            if (line.Length > start)
            {
                line.Append(' ');
            }

            line.Append(Words[random.Next(Words.Length)]);
        }
    }
}

/// <summary>
/// The orders rows as a Parquet file written by DuckDB (not by Ingest): the six orders columns plus a
/// dictionary-encoded status string with nulls, a nullable discount decimal(9,2) and a nullable promo code
/// (mostly null), in row groups of 100,000 rows. The input of the Parquet-source comparison (issue 18).
/// </summary>
internal sealed class OrdersParquetDataset() : Dataset("orders_parquet", "the orders columns + status (dictionary, 5 % null), discount decimal(9,2) (30 % null), promo (90 % null); written by DuckDB, row groups of 100,000")
{
    public const int RowGroupSize = 100_000;

    public override IReadOnlyList<BenchColumn> Columns { get; } =
    [
        .. Orders.Columns,
        new("status", ColumnType.String, "VARCHAR"),
        new("discount", ColumnType.Decimal(9, 2), "DECIMAL(9,2)"),
        new("promo", ColumnType.String, "VARCHAR"),
    ];

    public override SourceFormat Format => SourceFormat.Parquet;

    public override string? DayColumn => "ts";

    public override string DuckDbSource(string file) => $"read_parquet({Sql.Literal(file)})";

    /// <summary>Writes the orders CSV of <paramref name="rows"/> rows through DuckDB into Parquet (once; cached).</summary>
    public override string GetOrCreate(string folder, int rows)
    {
        var parquet = Path.Combine(folder, $"{Name}-{rows}.parquet");
        if (File.Exists(parquet))
        {
            return parquet;
        }

        var csv = CsvGenerator.GetOrCreate(folder, rows).Path;
        Console.WriteLine($"writing {rows:N0} rows into {parquet} with DuckDB …");
        using var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var source = Orders.DuckDbSource(csv);
        command.CommandText =
            $"COPY (SELECT *, "
            + "CASE WHEN order_id % 20 = 7 THEN NULL ELSE ['new', 'paid', 'shipped', 'delivered', 'returned'][1 + CAST(hash(order_id) % 5 AS INTEGER)] END AS status, "
            + "CASE WHEN order_id % 10 < 3 THEN NULL ELSE CAST((order_id % 5000) / 100.0 AS DECIMAL(9,2)) END AS discount, "
            + "CASE WHEN order_id % 10 = 0 THEN 'PROMO-' || CAST(order_id % 97 AS VARCHAR) ELSE NULL END AS promo "
            + $"FROM {source}) TO {Sql.Literal(parquet + ".tmp")} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {RowGroupSize})";
        command.ExecuteNonQuery();
        File.Move(parquet + ".tmp", parquet, overwrite: true);
        return parquet;
    }

    protected override void WriteRow(StringBuilder line, int index, Random random) => throw new NotSupportedException();
}
