using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OnPremToAthena;

/// <summary>A bad row planted on purpose in an extract, to be found again in the quarantine.</summary>
/// <param name="Dataset">The dataset it belongs to.</param>
/// <param name="File">The extract file name.</param>
/// <param name="Line">The 1-based line in that file (the CSV header is line 1).</param>
/// <param name="Column">The column at fault, which the reason should name; null when the whole record is malformed.</param>
/// <param name="What">What is wrong, in words.</param>
internal sealed record PlantedDefect(string Dataset, string File, long Line, string? Column, string What);

/// <summary>
/// Figures computed while generating, from the valid rows only, independently of Ingest and DuckDB:
/// what the lake must answer once the extracts are ingested.
/// </summary>
internal sealed class ExpectedFigures
{
    public long FirstExtractOrders { get; set; }

    public decimal FirstExtractAmount { get; set; }

    public long SecondExtractOrders { get; set; }

    public long Customers { get; set; }

    /// <summary>Valid orders per UTC day of <c>order_ts</c> (the partition value), both extracts.</summary>
    public SortedDictionary<DateOnly, long> OrdersPerDay { get; } = [];

    /// <summary>Revenue per (country, yyyy-MM of the UTC day), both extracts.</summary>
    public Dictionary<(string Country, string Month), decimal> RevenueByCountryMonth { get; } = [];

    /// <summary>Revenue per customer, both extracts.</summary>
    public Dictionary<long, decimal> RevenueByCustomer { get; } = [];
}

/// <summary>The files of one generated on-premise export, with what was planted in them.</summary>
internal sealed record Extract(
    string CustomersFile,
    string OrdersFile,
    string OrdersJulyFile,
    IReadOnlyList<PlantedDefect> Defects,
    ExpectedFigures Expected);

/// <summary>
/// Writes a realistic, deterministic export of an on-premise after-sales system: a customer master as
/// JSON Lines, half a year of orders as CSV with local wall-clock times (sorted by time, as such exports
/// are), and a July extract that carries a new <c>channel</c> column. A handful of bad rows is planted at
/// known lines. The same seed and row count always give the same bytes, so re-runs are comparable.
/// </summary>
internal sealed class DataGenerator(int orderRows, int seed = 20251125)
{
    private static readonly (string Code, int Weight)[] Countries =
        [("DE", 35), ("AT", 10), ("CH", 8), ("FR", 12), ("NL", 8), ("BE", 5), ("PL", 7), ("IT", 8), ("ES", 5), ("SE", 2)];

    private static readonly string[] Segments = ["workshop", "workshop", "workshop", "dealer", "dealer", "fleet"];
    private static readonly string[] Statuses = ["invoiced", "invoiced", "invoiced", "invoiced", "invoiced", "invoiced", "shipped", "shipped", "open", "cancelled"];
    private static readonly string[] Channels = ["web", "web", "web", "web", "web", "phone", "phone", "phone", "counter", "counter"];
    private static readonly string[] LastNames = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Janssen", "Rossi", "Nowak", "García", "Lindqvist", "Peeters", "Huber", "Keller", "Moreau"];
    private static readonly string[] Kinds = ["Autohaus", "Kfz-Werkstatt", "Garage", "Fleet Services", "Autoservice", "Truck Center"];
    private static readonly decimal[] UnitPrices = [4.90m, 7.35m, 12.99m, 19.50m, 24.00m, 38.75m, 59.90m, 89.00m, 129.00m, 249.50m, 480.00m, 1899.00m];

    // Non-ASCII names stay UTF-8 as an export would write them (the default encoder escapes them as \uXXXX).
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly TimeZoneInfo SiteTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private readonly Random _random = new(seed);
    private readonly List<PlantedDefect> _defects = [];
    private readonly ExpectedFigures _expected = new();
    private readonly List<(long Id, string Country)> _customers = [];
    private long _nextOrderId = 5_000_001;

    public int CustomerRows => Math.Max(200, orderRows / 12);

    public int JulyRows => Math.Max(100, orderRows / 10);

    public Extract Generate(string folder)
    {
        Directory.CreateDirectory(folder);
        var customers = Path.Combine(folder, "customers_2025-06-30.jsonl");
        var orders = Path.Combine(folder, "orders_2025-H1.csv");
        var july = Path.Combine(folder, "orders_2025-07.csv");
        WriteCustomers(customers);
        WriteOrders(orders, new DateOnly(2025, 1, 1), new DateOnly(2025, 6, 30), orderRows, withChannel: false);
        WriteOrders(july, new DateOnly(2025, 7, 1), new DateOnly(2025, 7, 31), JulyRows, withChannel: true);
        return new Extract(customers, orders, july, _defects, _expected);
    }

    private void WriteCustomers(string path)
    {
        using var writer = CreateWriter(path);
        var line = 0L;
        var plantAt = new Dictionary<int, Func<object>>
        {
            // Not a leap year: the date cannot be converted.
            [CustomerRows / 5] = () => Plant(path, line, "signup_date", "impossible date 2023-02-29",
                new { customer_id = 990_001, name = "Garage Lindqvist", email = "info@lindqvist.example", country = "SE", segment = "workshop", signup_date = "2023-02-29" }),

            // The country is spelled out instead of an ISO code: breaks the regex rule.
            [CustomerRows * 3 / 4] = () => Plant(path, line, "country", "country 'Deutschland' is not an ISO code",
                new { customer_id = 990_002, name = "Autohaus Keller", email = (string?)null, country = "Deutschland", segment = "dealer", signup_date = "2021-06-01" }),
        };

        for (var i = 0; i < CustomerRows; i++)
        {
            if (plantAt.TryGetValue(i, out var bad))
            {
                line++;
                writer.WriteLine(JsonSerializer.Serialize(bad(), Json));
            }

            var id = 100_001L + i;
            var country = PickCountry();
            var last = LastNames[_random.Next(LastNames.Length)];
            var name = $"{Kinds[_random.Next(Kinds.Length)]} {last} {i % 97}";
            var email = _random.Next(10) == 0 ? null : $"parts{id}@{Ascii(last)}.example";
            var signup = new DateOnly(2015, 1, 1).AddDays(_random.Next(3650));
            line++;
            writer.WriteLine(JsonSerializer.Serialize(new
            {
                customer_id = id,
                name,
                email,
                country,
                segment = Segments[_random.Next(Segments.Length)],
                signup_date = signup.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            }, Json));
            _customers.Add((id, country));
        }

        _expected.Customers = CustomerRows;
    }

    private void WriteOrders(string path, DateOnly first, DateOnly last, int rows, bool withChannel)
    {
        using var writer = CreateWriter(path);
        writer.WriteLine(withChannel ? "order_id,customer_id,ordered_at,country,amount,qty,status,channel" : "order_id,customer_id,ordered_at,country,amount,qty,status");
        var file = Path.GetFileName(path);
        var defects = withChannel
            ? new Dictionary<int, (string? Column, string What)> { [rows / 2] = ("channel", "channel 'fax' is not an allowed value") }
            : new Dictionary<int, (string? Column, string What)>
            {
                [rows / 20] = ("amount", "unparsable decimal \"1.234,50\" (German format)"),
                [rows / 5] = ("order_ts", "impossible date 2025-02-30"),
                [rows * 2 / 5] = (null, "ragged row: the last two fields are missing"),
                [rows * 3 / 5] = ("qty", "qty 0 is outside the range 1..500"),
                [rows * 4 / 5] = ("customer_id", "customer_id is empty (not null)"),
            };

        var i = 0;
        foreach (var local in OrderTimes(first, last, rows))
        {
            var line = i + 2L; // the header is line 1
            var orderId = _nextOrderId++;
            var (customerId, country) = PickCustomer();
            var qty = PickQuantity();
            var unit = UnitPrices[_random.Next(UnitPrices.Length)];
            qty = unit > 400m ? 1 : qty;
            var amount = qty * unit;
            var status = Statuses[_random.Next(Statuses.Length)];
            var channel = Channels[_random.Next(Channels.Length)];
            var ts = local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var amountText = amount.ToString("0.00", CultureInfo.InvariantCulture);
            var customerText = customerId.ToString(CultureInfo.InvariantCulture);
            var qtyText = qty.ToString(CultureInfo.InvariantCulture);
            var ragged = false;

            if (defects.TryGetValue(i, out var defect))
            {
                _defects.Add(new PlantedDefect("sales.orders", file, line, defect.Column, defect.What));
                switch (defect.Column)
                {
                    case "amount": amountText = "\"1.234,50\""; break;
                    case "order_ts": ts = "2025-02-30 10:15:00"; break;
                    case "customer_id": customerText = string.Empty; break;
                    case "channel": channel = "fax"; break;
                    case "qty": qtyText = "0"; break;
                    case null: ragged = true; break;
                }
            }
            else
            {
                Count(customerId, country, amount, local, firstExtract: !withChannel);
            }

            var sb = new StringBuilder(96).Append(orderId).Append(',').Append(customerText).Append(',').Append(ts)
                .Append(',').Append(country).Append(',').Append(amountText);
            if (!ragged)
            {
                sb.Append(',').Append(qtyText).Append(',').Append(status);
                if (withChannel)
                {
                    sb.Append(',').Append(channel);
                }
            }

            writer.WriteLine(sb.ToString());
            i++;
        }
    }

    private void Count(long customerId, string country, decimal amount, DateTime local, bool firstExtract)
    {
        var utcDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeToUtc(local, SiteTimeZone));
        var e = _expected;
        if (firstExtract)
        {
            e.FirstExtractOrders++;
            e.FirstExtractAmount += amount;
        }
        else
        {
            e.SecondExtractOrders++;
        }

        e.OrdersPerDay[utcDay] = e.OrdersPerDay.GetValueOrDefault(utcDay) + 1;
        var month = (country, utcDay.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        e.RevenueByCountryMonth[month] = e.RevenueByCountryMonth.GetValueOrDefault(month) + amount;
        e.RevenueByCustomer[customerId] = e.RevenueByCustomer.GetValueOrDefault(customerId) + amount;
    }

    /// <summary>Order times in local wall-clock time, sorted: more on weekdays, only during opening hours (06:00–21:59, which also keeps clear of the DST gap).</summary>
    private IEnumerable<DateTime> OrderTimes(DateOnly first, DateOnly last, int rows)
    {
        var days = new List<(DateOnly Day, double Weight)>();
        for (var d = first; d <= last; d = d.AddDays(1))
        {
            days.Add((d, d.DayOfWeek switch { DayOfWeek.Saturday => 0.4, DayOfWeek.Sunday => 0.1, _ => 1.0 }));
        }

        var total = days.Sum(d => d.Weight);
        var emitted = 0;
        var cumulative = 0.0;
        foreach (var (day, weight) in days)
        {
            cumulative += weight;
            var upTo = day == last ? rows : (int)Math.Round(rows * cumulative / total);
            var seconds = new int[upTo - emitted];
            for (var k = 0; k < seconds.Length; k++)
            {
                seconds[k] = (6 * 3600) + _random.Next(16 * 3600);
            }

            Array.Sort(seconds);
            foreach (var s in seconds)
            {
                yield return day.ToDateTime(TimeOnly.MinValue).AddSeconds(s);
            }

            emitted = upTo;
        }
    }

    /// <summary>A few big customers order a lot (a skewed distribution makes "top customers" meaningful); most ship to their own country.</summary>
    private (long Id, string Country) PickCustomer()
    {
        var u = _random.NextDouble();
        var (id, country) = _customers[(int)(u * u * u * _customers.Count)];
        return (id, _random.Next(10) == 0 ? PickCountry() : country);
    }

    private int PickQuantity()
    {
        var u = _random.NextDouble();
        return 1 + (int)(u * u * 20);
    }

    private string PickCountry()
    {
        var n = _random.Next(Countries.Sum(c => c.Weight));
        foreach (var (code, weight) in Countries)
        {
            if (n < weight)
            {
                return code;
            }

            n -= weight;
        }

        return Countries[0].Code;
    }

    private object Plant(string path, long line, string column, string what, object row)
    {
        _defects.Add(new PlantedDefect("sales.customers", Path.GetFileName(path), line, column, what));
        return row;
    }

    private static string Ascii(string name) => name.ToLowerInvariant()
        .Replace("ü", "ue", StringComparison.Ordinal).Replace("í", "i", StringComparison.Ordinal).Replace("ç", "c", StringComparison.Ordinal);

    private static StreamWriter CreateWriter(string path)
        => new(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16) { NewLine = "\n" };
}
