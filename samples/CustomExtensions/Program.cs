// CustomExtensions: a custom quality rule and a custom source format, end to end on the local backend.
//
// A mainframe exports card payments as fixed-width text (latin1). The host registers a reader for that format
// ("fixed-width", FixedWidthReader.cs) and a rule that checks card numbers ("luhn", LuhnRule.cs); the definition
// (definitions/payments.cards.json) names both. The program registers the definition, ingests a generated export with
// a few bad lines planted on purpose, and reads the curated table and the quarantine back through the query engine
// (DuckDB). The exit code is 0 when every figure matches, 1 otherwise.
//
//   dotnet run --project samples/CustomExtensions [-- --home DIR]
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CustomExtensions;
using Ingest;
using Ingest.Definitions;
using Ingest.Engine;
using Microsoft.Extensions.DependencyInjection;

var home = args is ["--home", { } folder] ? folder : Path.Combine(Path.GetTempPath(), "ingest-custom-extensions");
if (Directory.Exists(home))
{
    Directory.Delete(home, recursive: true);
}

Directory.CreateDirectory(home);

// 1. The host registers its extensions next to the backends; definitions may then name them.
await using var services = new ServiceCollection()
    .AddIngestLocal(o => o.Root = Path.Combine(home, "lake"))
    .AddIngest()
    .AddIngestRule<LuhnRule>("luhn")
    .AddIngestSourceFormat<FixedWidthReader>("fixed-width")
    .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
var extensions = services.GetRequiredService<IngestExtensions>();
var backends = services.GetRequiredService<IngestBackends>();

// 2. The definition is checked against the registrations: an unknown type or format, or options the rule refuses, stop here.
var definition = await DatasetDefinitionSerializer.ReadFileAsync(Path.Combine(AppContext.BaseDirectory, "definitions", "payments.cards.json"), extensions);
var registered = await backends.Registry.RegisterAsync(definition, extensions);
await backends.Catalog!.EnsureTableAsync(registered);
Console.WriteLine($"registered {registered.Dataset} v{registered.Version}: source format {definition.Source.Format}, rules {string.Join(", ", definition.Quality.Rules.Select(r => r.DisplayName))}");

// The reader checks its own options when a definition is registered with the host's extensions (FixedWidthReader is an
// ISourceOptionsValidator): a field of width 0 is refused with one line, and nothing is stored.
var options = JsonNode.Parse(definition.Source.Options!.Value.GetRawText())!;
options["fields"]![0]!["width"] = 0;
var zeroWidth = JsonSerializer.Deserialize<JsonElement>(options.ToJsonString());
var broken = definition with { Id = DatasetId.Parse("payments.cards_broken"), Source = definition.Source with { Options = zeroWidth } };
var failures = new List<string>();
try
{
    await backends.Registry.RegisterAsync(broken, extensions);
    failures.Add("a definition with a field of width 0 was registered");
}
catch (DefinitionException ex)
{
    Console.WriteLine($"refused: {ex.Message}");
    Expect("refusal names the member", true, ex.Errors.Any(e => e.Path == "$.source.options.fields[0].width"));
    Expect("nothing stored", true, await backends.Registry.GetAsync(broken.Id) is null);
}

// 3. The export: 6 good lines, a card number that fails its check digit, a negative amount and a truncated line.
var export = Path.Combine(home, "cards_2025-06.txt");
var lines = Export.Lines();
await File.WriteAllTextAsync(export, string.Join('\n', lines) + "\n", Encoding.Latin1);

var pipeline = services.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(definition.Id).Build();
var result = await pipeline.RunAsync([IngestInput.FromFile(export)]);
Console.WriteLine($"run {result.Run.RunId}: {result.Run.Status}, {result.Run.RowsRead} read, {result.Run.RowsWritten} written, {result.Run.RowsRejected} rejected");

// 4. Read back through the query engine (DuckDB over the lake).
var curated = await QueryAsync("SELECT count(*), CAST(sum(amount) AS VARCHAR), string_agg(holder, ',' ORDER BY payment_id) FROM payments.cards");
Console.WriteLine($"payments.cards: {curated[0][0]} rows, amount {curated[0][1]}, holders {curated[0][2]}");
Expect("curated rows", Export.Good.Count, Convert.ToInt64(curated[0][0], CultureInfo.InvariantCulture));
Expect("curated amount", Export.Good.Sum(p => p.Amount).ToString("0.00", CultureInfo.InvariantCulture), (string?)curated[0][1]);
Expect("holders", string.Join(',', Export.Good.Select(p => p.Holder)), (string?)curated[0][2]);

var rejects = await QueryAsync("SELECT _source_line, _reason, _raw_record FROM payments.cards_quarantine ORDER BY _source_line");
foreach (var row in rejects)
{
    Console.WriteLine($"  quarantine line {row[0]}: {row[1]}{(row[2] is string raw ? $" [raw: {raw.TrimEnd()}]" : string.Empty)}");
}

Expect("quarantined lines", string.Join(',', Export.BadLines), string.Join(',', rejects.Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture))));
Expect("luhn reason", true, rejects.Any(r => ((string)r[1]!).StartsWith("luhn(card_number): ", StringComparison.Ordinal)));
Expect("truncated line kept raw", true, rejects.Any(r => r[2] is string raw && raw.StartsWith("00000009", StringComparison.Ordinal)));

Console.WriteLine(failures.Count == 0 ? "all checks passed" : $"{failures.Count} checks failed:\n  " + string.Join("\n  ", failures));
return failures.Count == 0 ? 0 : 1;

async Task<List<IReadOnlyList<object?>>> QueryAsync(string sql)
{
    await using var query = await backends.Query!.QueryAsync(sql);
    var rows = new List<IReadOnlyList<object?>>();
    await foreach (var row in query.ReadRowsAsync())
    {
        rows.Add(row);
    }

    return rows;
}

void Expect<T>(string what, T expected, T actual)
{
    if (!EqualityComparer<T>.Default.Equals(expected, actual))
    {
        failures.Add($"{what}: expected {expected}, got {actual}");
    }
}
