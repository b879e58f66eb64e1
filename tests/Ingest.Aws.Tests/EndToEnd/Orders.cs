using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Ingest.Definitions;
using Ingest.Storage;

namespace Ingest.Aws.Tests.EndToEnd;

/// <summary>An orders dataset for pipeline runs: its definition, a CSV with known figures, and an independent check of the curated Parquet (DuckDB).</summary>
internal static class Orders
{
    /// <remarks>Hive unless <paramref name="format"/> says otherwise: the tests over S3 and DynamoDB alone have no Glue (Iceberg's catalog on AWS).</remarks>
    public static DatasetDefinition Definition(DatasetId id, string format = "hive") => DatasetDefinitionSerializer.Deserialize(
        $$"""
        {
          "id": "{{id}}",
          "source": { "format": "csv", "csv": { "delimiter": ",", "header": true } },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "order_date", "type": "date", "nullable": false },
            { "name": "country", "type": "string" },
            { "name": "amount", "type": "decimal(18,2)", "nullable": false }
          ],
          "keys": ["order_id"],
          "partitioning": [{ "column": "order_date", "transform": "month" }],
          "write": { "mode": "append" },
          "table": { "format": "{{format}}" },
          "quality": { "maxRejectRatio": 0.05 }
        }
        """,
        "orders test definition");

    /// <summary>Writes <paramref name="rows"/> rows; every <paramref name="badEvery"/>-th has an amount that does not convert. Returns the expected good figures.</summary>
    public static (long Count, decimal Sum, int Bad) WriteCsv(string path, int rows, int badEvery = 0)
    {
        string[] countries = ["DE", "FR", "IT", "NL"];
        var start = new DateOnly(2024, 1, 1);
        long count = 0;
        decimal sum = 0;
        var bad = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        writer.WriteLine("order_id,order_date,country,amount");
        for (var i = 1; i <= rows; i++)
        {
            var amount = (i % 1000) + 0.25m;
            var isBad = badEvery > 0 && i % badEvery == 0;
            writer.Write(i.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(start.AddDays(i % 90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(countries[i % countries.Length]);
            writer.Write(',');
            writer.WriteLine(isBad ? "12,5x" : amount.ToString("0.00", CultureInfo.InvariantCulture));
            if (isBad)
            {
                bad++;
            }
            else
            {
                count++;
                sum += amount;
            }
        }

        return (count, sum, bad);
    }

    /// <summary>Downloads every curated Parquet file of the dataset and reads them with DuckDB: row count, distinct ids, amount sum.</summary>
    public static async Task<(long Count, long DistinctIds, decimal Sum, int Files)> ReadCuratedAsync(ILakeStorage lake, DatasetId dataset, string folder)
    {
        var files = 0;
        await foreach (var item in lake.ListAsync(LakeZone.Curated, DatasetLayout.DatasetPrefix(dataset)))
        {
            item.Key.Should().EndWith(".parquet");
            var local = Path.Combine(folder, item.Key.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await using var source = await lake.OpenReadAsync(LakeZone.Curated, item.Key);
            await using var target = File.Create(local);
            await source.CopyToAsync(target);
            files++;
        }

        if (files == 0)
        {
            return (0, 0, 0, 0);
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT order_id), sum(amount) FROM read_parquet('{folder.Replace("'", "''", StringComparison.Ordinal)}/**/*.parquet')";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetDecimal(2), files);
    }
}
