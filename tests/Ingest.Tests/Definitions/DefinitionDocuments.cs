using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Definitions;
using Json.Schema;

namespace Ingest.Tests.Definitions;

/// <summary>Documents, examples and the JSON Schema shared by the definition tests.</summary>
internal static class DefinitionDocuments
{
    private static readonly Lazy<JsonSchema> LazySchema = new(() => JsonSchema.FromText(DatasetDefinitionSerializer.JsonSchema));

    /// <summary>Gets the embedded JSON Schema, built once (JsonSchema.Net registers it by its $id).</summary>
    public static JsonSchema Schema => LazySchema.Value;

    /// <summary>Gets the repository root (the folder holding Ingest.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Gets the example definitions of docs/examples, by file name.</summary>
    public static TheoryData<string> ExampleFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot, "docs", "examples"), "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(path));
            }

            return data;
        }
    }

    public static string ReadExample(string fileName) => File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "examples", fileName));

    /// <summary>
    /// A small valid definition: columns id (int64, required), name (string), amount (decimal(18,2)),
    /// created_at (timestamp), day (date), active (boolean).
    /// </summary>
    public static JsonObject Minimal() => JsonNode.Parse("""
        {
          "id": "sales.orders",
          "source": { "format": "csv" },
          "columns": [
            { "name": "id", "type": "int64", "nullable": false },
            { "name": "name", "type": "string" },
            { "name": "amount", "type": "decimal(18,2)" },
            { "name": "created_at", "type": "timestamp" },
            { "name": "day", "type": "date" },
            { "name": "active", "type": "boolean" }
          ]
        }
        """)!.AsObject();

    /// <summary>Returns <see cref="Minimal"/> changed by <paramref name="edit"/>, as JSON text.</summary>
    public static string Doc(Action<JsonObject> edit)
    {
        var doc = Minimal();
        edit(doc);
        return doc.ToJsonString();
    }

    /// <summary>Deserializes and returns the reported errors; fails the test when the document is accepted.</summary>
    public static IReadOnlyList<DefinitionError> SerializerErrors(string json)
    {
        var act = () => DatasetDefinitionSerializer.Deserialize(json, "test.json");
        return act.Should().Throw<DefinitionException>().Which.Errors;
    }

    /// <summary>Evaluates <paramref name="json"/> against the JSON Schema.</summary>
    public static EvaluationResults EvaluateSchema(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    /// <summary>Describes schema errors for assertion messages.</summary>
    public static string DescribeSchemaErrors(EvaluationResults results)
        => string.Join(Environment.NewLine, (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Ingest.sln not found above {AppContext.BaseDirectory}.");
    }
}
