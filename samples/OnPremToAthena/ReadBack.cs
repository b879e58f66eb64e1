using System.Globalization;
using DuckDB.NET.Data;
using Ingest.Storage;

namespace OnPremToAthena;

/// <summary>
/// Reads a dataset's Parquet files back from the lake with an independent reader: downloads them (from S3 on the AWS
/// target) and runs SQL over them with DuckDB. Stands in for the query steps where no query engine exists yet (Athena).
/// </summary>
internal sealed class ReadBack(ILakeStorage lake, string folder)
{
    /// <summary>Runs <paramref name="sql"/>, in which <c>{files}</c> stands for the dataset's Parquet files in the zone.</summary>
    public async Task<IReadOnlyList<object?[]>> QueryAsync(LakeZone zone, string dataset, string sql, params object[] parameters)
    {
        var target = Path.Combine(folder, zone.Name, dataset);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.CreateDirectory(target);
        var files = 0;
        await foreach (var item in lake.ListAsync(zone, dataset.Replace('.', '/') + "/"))
        {
            if (item.Key.EndsWith(".parquet", StringComparison.Ordinal))
            {
                await using var source = await lake.OpenReadAsync(zone, item.Key);
                await using var file = File.Create(Path.Combine(target, string.Create(CultureInfo.InvariantCulture, $"{files++:D5}.parquet")));
                await source.CopyToAsync(file);
            }
        }

        if (files == 0)
        {
            return [];
        }

        using var duckDb = new DuckDBConnection("DataSource=:memory:");
        await duckDb.OpenAsync();
        using var command = duckDb.CreateCommand();
        command.CommandText = sql.Replace("{files}", $"read_parquet('{target.Replace("'", "''", StringComparison.Ordinal)}/*.parquet', union_by_name = true)", StringComparison.Ordinal);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }

        var rows = new List<object?[]>();
        using var reader = await command.ExecuteReaderAsync();
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
}
