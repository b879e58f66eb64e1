using System.Globalization;

namespace CustomExtensions;

/// <summary>One payment of the generated export.</summary>
public sealed record Payment(long Id, string Holder, string CardNumber, decimal Amount, DateOnly PaidOn);

/// <summary>The generated fixed-width export: good payments, and bad lines planted at known line numbers.</summary>
public static class Export
{
    /// <summary>Gets the payments that reach the curated table.</summary>
    public static IReadOnlyList<Payment> Good { get; } =
    [
        new(1, "Zoë Müller", "4111 1111 1111 1111", 120.50m, new DateOnly(2025, 6, 2)),
        new(2, "Jörg Weiß", "5500 0000 0000 0004", 35.00m, new DateOnly(2025, 6, 3)),
        new(3, "Ana Peña", "3400 0000 0000 009", 999.99m, new DateOnly(2025, 6, 14)),
        new(5, "Chloé Dupré", "6011 0000 0000 0004", 12.30m, new DateOnly(2025, 6, 20)),
        new(6, "Søren Kierk", "4012 8888 8888 1881", 7.00m, new DateOnly(2025, 6, 28)),
        new(8, "Lukas Nowak", "5105 1051 0510 5100", 250.00m, new DateOnly(2025, 6, 30)),
    ];

    /// <summary>Gets the 1-based lines the quarantine must hold: a failed check digit, a negative amount, a truncated line.</summary>
    public static IReadOnlyList<long> BadLines { get; } = [4, 7, 9];

    /// <summary>Gets the export's lines, in order.</summary>
    public static IReadOnlyList<string> Lines()
    {
        var lines = Good.Select(Line).ToList();
        lines.Insert(3, Line(new Payment(4, "Ines Brandão", "4111 1111 1111 1112", 80.00m, new DateOnly(2025, 6, 15))));
        lines.Insert(6, Line(new Payment(7, "Ödön Horváth", "4242 4242 4242 4242", -3.00m, new DateOnly(2025, 6, 29))));
        lines.Add("00000009Truncated Line");
        return lines;
    }

    private static string Line(Payment p)
        => string.Create(CultureInfo.InvariantCulture, $"{p.Id,8:D8}{p.Holder,-20}{p.CardNumber,-20}{p.Amount,10:0.00}{p.PaidOn:yyyy-MM-dd}");
}
