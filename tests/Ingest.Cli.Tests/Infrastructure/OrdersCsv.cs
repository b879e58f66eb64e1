using System.Globalization;
using System.Text;

namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>
/// Generates an orders CSV for <see cref="TestDefinitions.Orders"/> with a few bad rows, and keeps the expected
/// figures of the good rows, computed here independently of the engine.
/// </summary>
public sealed class OrdersCsv
{
    private static readonly string[] Countries = ["DE", "FR", "NL", "US", "GB"];

    private OrdersCsv(int rowsWritten, IReadOnlyList<Order> good, int badRows)
    {
        RowsInFile = rowsWritten;
        Good = good;
        BadRows = badRows;
    }

    /// <summary>Gets the number of data rows in the file (good and bad).</summary>
    public int RowsInFile { get; }

    /// <summary>Gets the rows that must reach the curated zone.</summary>
    public IReadOnlyList<Order> Good { get; }

    /// <summary>Gets the number of rows that must be rejected.</summary>
    public int BadRows { get; }

    /// <summary>Gets the sum of the good rows' amounts.</summary>
    public decimal TotalAmount => Good.Sum(o => o.Amount);

    /// <summary>Gets the sum of the good rows' quantities.</summary>
    public long TotalQuantity => Good.Sum(o => (long)o.Quantity);

    /// <summary>Gets the good rows' count and amount per country (null for an empty country).</summary>
    public IReadOnlyDictionary<string, (long Count, decimal Amount)> ByCountry
        => Good.GroupBy(o => o.Country ?? "(null)").ToDictionary(g => g.Key, g => ((long)g.Count(), g.Sum(o => o.Amount)), StringComparer.Ordinal);

    /// <summary>Writes <paramref name="rows"/> rows to <paramref name="path"/>; with <paramref name="withBadRows"/>, six of them are bad.</summary>
    public static OrdersCsv Write(string path, int rows, bool withBadRows, int seed = 42)
    {
        var random = new Random(seed);
        var good = new List<Order>(rows);
        var bad = 0;
        var start = new DateOnly(2024, 1, 1);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.NewLine = "\n";
        writer.WriteLine("order_id,order_date,country,quantity,amount");
        for (var i = 1; i <= rows; i++)
        {
            var date = start.AddDays(i % 366);
            var country = i % 97 == 0 ? null : Countries[random.Next(Countries.Length)];
            var quantity = random.Next(1, 21);
            var amount = random.Next(100, 100_000) / 100m;
            var d = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var a = amount.ToString("0.00", CultureInfo.InvariantCulture);
            var q = quantity.ToString(CultureInfo.InvariantCulture);
            var id = i.ToString(CultureInfo.InvariantCulture);
            var badKind = withBadRows && rows >= 600 && i % (rows / 6) == rows / 12 ? (i / (rows / 6)) % 3 : -1;
            switch (badKind)
            {
                case 0: // unparsable decimal
                    writer.WriteLine($"{id},{d},{country},{q},\"12,50\"");
                    bad++;
                    continue;
                case 1: // impossible date
                    writer.WriteLine($"{id},2024-13-45,{country},{q},{a}");
                    bad++;
                    continue;
                case 2: // ragged row: two fields missing
                    writer.WriteLine($"{id},{d},{country}");
                    bad++;
                    continue;
            }

            writer.WriteLine($"{id},{d},{country},{q},{a}");
            good.Add(new Order(i, date, country, quantity, amount));
        }

        return new OrdersCsv(rows, good, bad);
    }

    /// <summary>One good order row.</summary>
    public sealed record Order(long OrderId, DateOnly OrderDate, string? Country, int Quantity, decimal Amount);
}
