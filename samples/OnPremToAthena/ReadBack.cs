using System.Globalization;
using DuckDB.NET.Data;
using Ingest;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Storage;

namespace OnPremToAthena;

/// <summary>
/// Reads a dataset's Parquet files back from the lake with an independent reader: downloads them (from S3 on the AWS
/// target) and runs SQL over them with DuckDB. An Iceberg table's files are those of its current snapshot (a folder
/// listing would also find the files that later snapshots replaced). Stands in for the query steps where no query engine exists yet (Athena).
/// </summary>
internal sealed class ReadBack(IngestBackends backends, string folder)
{
    private readonly ILakeStorage lake = backends.Lake;

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
        foreach (var key in await KeysAsync(zone, dataset))
        {
            await using var source = await lake.OpenReadAsync(zone, key);
            await using var file = File.Create(Path.Combine(target, string.Create(CultureInfo.InvariantCulture, $"{files++:D5}.parquet")));
            await source.CopyToAsync(file);
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

    private async Task<List<string>> KeysAsync(LakeZone zone, string dataset)
    {
        var prefix = dataset.Replace('.', '/') + "/";
        var registered = await backends.Registry.GetAsync(DatasetId.Parse(dataset));
        if (zone == LakeZone.Curated && registered?.Definition.TableFormat == TableFormat.Iceberg && backends.IcebergCatalog is { } catalog)
        {
            var snapshot = await TableSnapshots.ResolveAsync(registered, lake, catalog);
            var root = lake.GetAddress(zone, prefix).TrimEnd('/') + "/";
            return [.. snapshot.Files.Select(address => prefix + address[root.Length..])];
        }

        var keys = new List<string>();
        await foreach (var item in lake.ListAsync(zone, prefix))
        {
            if (item.Key.EndsWith(".parquet", StringComparison.Ordinal))
            {
                keys.Add(item.Key);
            }
        }

        return keys;
    }
}
