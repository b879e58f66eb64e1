using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Ingest.Local.Tests;

/// <summary>Readers that are not Ingest's: icebird (JavaScript) over an Iceberg table, DuckDB over Parquet files.</summary>
internal static class IndependentReaders
{
    internal static async Task<(long, decimal)> DuckDbCountAndSumAsync(IReadOnlyList<string> files)
    {
        var list = string.Join(", ", files.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
        var row = (await QueryDuckDbAsync($"SELECT count(*), coalesce(sum(amount), 0) FROM read_parquet([{list}])"))[0];
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToDecimal(row[1], CultureInfo.InvariantCulture));
    }

    internal static async Task<List<object?[]>> QueryDuckDbAsync(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        await duck.OpenAsync();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Runs the icebird reader (tests/Shared/iceberg-read.mjs) on a table at one metadata file.</summary>
    internal static Task<JsonElement> IcebirdAsync(string table, string metadataFile, params string[] sumColumns)
        => Ingest.Tests.Shared.Icebird.ReadAsync(table, metadataFile, null, sumColumns);
}
