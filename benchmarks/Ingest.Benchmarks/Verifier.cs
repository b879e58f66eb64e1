using System.Globalization;
using DuckDB.NET.Data;

namespace Ingest.Benchmarks;

/// <summary>The figures of a Parquet output as DuckDB reads it back: a fast wrong answer must not pass.</summary>
internal sealed record OutputFigures(long Rows, decimal SumAmount, long SumQty, long SumOrderId, string SumEpochMicros, long SumCustomerLength, string CustomerCountryHash, string Types)
{
    /// <summary>Gets the compressed bytes of the columns whose names start with '_' (Ingest's lineage columns).</summary>
    public long LineageBytes { get; init; }

    /// <summary>Returns what differs from the figures computed when the CSV was written.</summary>
    public IEnumerable<string> DifferencesFrom(ExpectedData e)
    {
        if (Rows != e.Rows) yield return $"rows {Rows} ≠ {e.Rows}";
        if (SumAmount != e.SumAmount) yield return $"sum(amount) {SumAmount} ≠ {e.SumAmount}";
        if (SumQty != e.SumQty) yield return $"sum(qty) {SumQty} ≠ {e.SumQty}";
        if (SumOrderId != e.SumOrderId) yield return $"sum(order_id) {SumOrderId} ≠ {e.SumOrderId}";
        if (SumEpochMicros != e.SumEpochMicros) yield return $"sum(epoch_us(ts)) {SumEpochMicros} ≠ {e.SumEpochMicros} (time zone or precision?)";
        if (SumCustomerLength != e.SumCustomerLength) yield return $"sum(length(customer)) {SumCustomerLength} ≠ {e.SumCustomerLength}";
    }
}

internal static class Verifier
{
    /// <summary>Reads the figures of <see cref="Dataset.Figures"/> from an output, in order, as text.</summary>
    public static async Task<IReadOnlyList<string>> ReadFiguresAsync(Dataset dataset, string glob)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        var figures = dataset.Figures().ToList();
        command.CommandText = $"SELECT {string.Join(", ", figures.Select(f => $"CAST({f.Sql} AS VARCHAR)"))} FROM read_parquet({Sql.Literal(glob)}, hive_partitioning = false, union_by_name = true)";
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"No result reading {glob}.");
        }

        return [.. figures.Select((f, i) => $"{f.Label} = {(reader.IsDBNull(i) ? "null" : reader.GetString(i))}")];
    }

    /// <summary>Gets the compressed bytes per column of an output (footer metadata, all files and row groups).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> ColumnBytesAsync(string glob)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata({Sql.Literal(glob)}) GROUP BY 1";
        await using var reader = await command.ExecuteReaderAsync();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            sizes[reader.GetString(0)] = reader.GetInt64(1);
        }

        return sizes;
    }

    public static async Task<OutputFigures> ReadAsync(string glob)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT count(*),
                   CAST(sum(amount) AS VARCHAR),
                   CAST(sum(qty) AS VARCHAR),
                   CAST(sum(order_id) AS VARCHAR),
                   CAST(sum(epoch_us(ts)) AS VARCHAR),
                   CAST(sum(length(customer)) AS VARCHAR),
                   CAST(sum(hash(customer, country)) AS VARCHAR),
                   typeof(any_value(order_id)) || ',' || typeof(any_value(amount)) || ',' || typeof(any_value(ts)) || ',' || typeof(any_value(qty))
            FROM read_parquet({Sql.Literal(glob)}, hive_partitioning = false, union_by_name = true)
            """;
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"No result reading {glob}.");
        }

        var inv = CultureInfo.InvariantCulture;
        var figures = new OutputFigures(
            Convert.ToInt64(reader.GetValue(0), inv),
            decimal.Parse(reader.GetString(1), inv),
            long.Parse(reader.GetString(2), inv),
            long.Parse(reader.GetString(3), inv),
            reader.GetString(4),
            long.Parse(reader.GetString(5), inv),
            reader.GetString(6),
            reader.GetString(7));

        await using var sizes = connection.CreateCommand();
        sizes.CommandText = $"""
            SELECT coalesce(sum(total_compressed_size), 0)::BIGINT FROM parquet_metadata({Sql.Literal(glob)}) WHERE starts_with(path_in_schema, '_')
            """;
        return figures with { LineageBytes = Convert.ToInt64(await sizes.ExecuteScalarAsync(), inv) };
    }
}
