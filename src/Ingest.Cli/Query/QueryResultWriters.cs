using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingest.Catalog;
using Ingest.Cli.Hosting;
using Spectre.Console;

namespace Ingest.Cli.Query;

/// <summary>Writes a query result as a table (for people), CSV (RFC 4180) or a JSON array of objects (for programs).</summary>
internal static class QueryResultWriters
{
    public static async Task<long> WriteAsync(QueryResult result, QueryOutputFormat format, IAnsiConsole console, CancellationToken cancellationToken)
        => format switch
        {
            QueryOutputFormat.Csv => await WriteCsvAsync(result, console, cancellationToken),
            QueryOutputFormat.Json => await WriteJsonAsync(result, console, cancellationToken),
            _ => await WriteTableAsync(result, console, cancellationToken),
        };

    private static async Task<long> WriteTableAsync(QueryResult result, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var table = new Table();
        foreach (var column in result.Columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        long rows = 0;
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
        {
            table.AddRow(row.Select(v => v is null ? "[dim]NULL[/]" : Markup.Escape(ValueFormat.Text(v))).ToArray());
            rows++;
        }

        console.Write(table);
        console.MarkupLineInterpolated($"[dim]({ConsoleOutput.N(rows)} {(rows == 1 ? "row" : "rows")})[/]");
        return rows;
    }

    private static async Task<long> WriteCsvAsync(QueryResult result, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        AppendCsvLine(line, result.Columns);
        console.WriteRaw(line.ToString());
        long rows = 0;
        line.Clear();
        await foreach (var row in result.ReadRowsAsync(cancellationToken))
        {
            AppendCsvLine(line, row.Select(v => v is null ? null : ValueFormat.Text(v)));
            if (++rows % 1000 == 0)
            {
                console.WriteRaw(line.ToString());
                line.Clear();
            }
        }

        console.WriteRaw(line.ToString());
        return rows;
    }

    private static void AppendCsvLine(StringBuilder line, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                line.Append(',');
            }

            first = false;
            if (field is null)
            {
                continue;
            }

            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' ')))
            {
                line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                line.Append(field);
            }
        }

        line.Append('\n');
    }

    private static async Task<long> WriteJsonAsync(QueryResult result, IAnsiConsole console, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var columns = result.Columns;
        long rows = 0;
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            void Drain()
            {
                writer.Flush();
                console.WriteRaw(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                buffer.SetLength(0);
            }

            writer.WriteStartArray();
            await foreach (var row in result.ReadRowsAsync(cancellationToken))
            {
                writer.WriteStartObject();
                for (var i = 0; i < columns.Count; i++)
                {
                    writer.WritePropertyName(columns[i]);
                    ValueFormat.WriteJson(writer, i < row.Count ? row[i] : null);
                }

                writer.WriteEndObject();
                if (++rows % 1000 == 0)
                {
                    Drain();
                }
            }

            writer.WriteEndArray();
            Drain();
        }

        console.WriteRaw(Environment.NewLine);
        return rows;
    }
}
