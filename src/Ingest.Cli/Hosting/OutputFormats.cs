using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ingest.Cli.Hosting;

/// <summary>How a command that lists things prints them (<c>datasets list</c>, <c>runs</c>).</summary>
internal enum ListOutputFormat
{
    /// <summary>A table for a person.</summary>
    Table,

    /// <summary>One JSON object per line (JSON Lines), in the documented shape.</summary>
    Json,

    /// <summary>CSV with a header line, the JSON shape's members as snake_case columns.</summary>
    Csv,
}

/// <summary>How a command that prints one result prints it (<c>run</c>, <c>datasets show</c>, <c>datasets diff</c>).</summary>
internal enum DocumentOutputFormat
{
    /// <summary>Text for a person.</summary>
    Text,

    /// <summary>One JSON object, in the documented shape.</summary>
    Json,
}

/// <summary>Writes the machine-readable output of the commands: JSON with camelCase members, CSV as RFC 4180.</summary>
internal static class MachineOutput
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>One JSON object on one line.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A CSV document: the header and the rows, each value in its invariant form; fields with a delimiter, quote or line break quoted.</summary>
    public static string Csv(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', header.Select(Field)).Append('\n');
        foreach (var row in rows)
        {
            text.AppendJoin(',', row.Select(v => Field(Invariant(v)))).Append('\n');
        }

        return text.ToString();
    }

    private static string Invariant(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Field(string value)
        => value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
