using System.Globalization;
using Spectre.Console;

namespace Ingest.Cli.Hosting;

/// <summary>Output helpers shared by the commands.</summary>
internal static class ConsoleOutput
{
    /// <summary>Writes text as is, bypassing markup and line wrapping (JSON, CSV: output meant for other programs).</summary>
    public static void WriteRaw(this IAnsiConsole console, string text)
    {
        var writer = console.Profile.Out.Writer;
        writer.Write(text);
        writer.Flush();
    }

    /// <summary>Writes a line of plain text (no markup), wrapped to the console width.</summary>
    public static void WritePlainLine(this IAnsiConsole console, string text) => console.WriteLine(text);

    /// <summary>Formats an integer with group separators, invariantly.</summary>
    public static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Formats an instant as UTC, to the second.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Formats a duration compactly.</summary>
    public static string Duration(TimeSpan value) => value.TotalSeconds < 60
        ? value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : value.ToString(value.TotalHours < 1 ? @"m\:ss" : @"h\:mm\:ss", CultureInfo.InvariantCulture);

    /// <summary>Formats a byte count with a binary unit.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    /// <summary>Formats a rate per second.</summary>
    public static string Rate(double perSecond) => double.IsFinite(perSecond) ? N((long)Math.Round(perSecond)) : "-";
}
