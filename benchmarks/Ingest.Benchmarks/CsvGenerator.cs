using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Ingest.Benchmarks;

/// <summary>What any correct conversion of the CSV must contain, computed while writing it.</summary>
internal sealed record ExpectedData(long Rows, decimal SumAmount, long SumQty, long SumOrderId, string SumEpochMicros, long SumCustomerLength);

/// <summary>
/// Writes the baseline CSV of TOOLCHAIN.md: order_id bigint, customer string, amount decimal(18,2),
/// ts timestamp, country string, qty int. Sorted by time over one year (as extracts usually are), seeded,
/// and cached with its expected figures so that repeated runs read the same bytes.
/// </summary>
internal static class CsvGenerator
{
    private static readonly string[] Countries = ["DE", "DE", "DE", "AT", "CH", "FR", "FR", "NL", "BE", "PL", "IT", "ES", "SE"];

    public static (string Path, ExpectedData Expected) GetOrCreate(string folder, int rows)
    {
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(folder, $"orders-{rows}.csv");
        var json = Path.ChangeExtension(csv, ".expected.json");
        if (File.Exists(csv) && File.Exists(json))
        {
            return (csv, JsonSerializer.Deserialize<ExpectedData>(File.ReadAllText(json))!);
        }

        Console.WriteLine($"generating {rows:N0} rows into {csv} …");
        var expected = Write(csv + ".tmp", rows);
        File.Move(csv + ".tmp", csv, overwrite: true);
        File.WriteAllText(json, JsonSerializer.Serialize(expected));
        return (csv, expected);
    }

    private static ExpectedData Write(string path, int rows)
    {
        var random = new Random(20251125);
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var step = TimeSpan.FromDays(365).Ticks / rows;
        decimal sumAmount = 0;
        long sumQty = 0, sumOrderId = 0, sumCustomerLength = 0;
        BigInteger sumEpochMicros = 0;

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        writer.WriteLine("order_id,customer,amount,ts,country,qty");
        var line = new StringBuilder(96);
        for (var i = 0; i < rows; i++)
        {
            var orderId = 10_000_000L + i;
            var customer = string.Create(CultureInfo.InvariantCulture, $"CUST-{random.Next(250_000):D7}");
            var amount = random.Next(1, 1_000_000) / 100m;
            var ts = new DateTime(start.Ticks + (i * step) - (i * step % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            var country = Countries[random.Next(Countries.Length)];
            var qty = 1 + random.Next(random.Next(1, 50));

            line.Clear()
                .Append(orderId).Append(',')
                .Append(customer).Append(',')
                .Append(amount.ToString("0.00", CultureInfo.InvariantCulture)).Append(',')
                .Append(ts.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
                .Append(country).Append(',')
                .Append(qty);
            writer.WriteLine(line);

            sumAmount += amount;
            sumQty += qty;
            sumOrderId += orderId;
            sumCustomerLength += customer.Length;
            sumEpochMicros += (ts - DateTime.UnixEpoch).Ticks / 10;
        }

        return new ExpectedData(rows, sumAmount, sumQty, sumOrderId, sumEpochMicros.ToString(CultureInfo.InvariantCulture), sumCustomerLength);
    }
}
