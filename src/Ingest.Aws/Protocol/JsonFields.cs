using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingest.Aws.Protocol;

/// <summary>Reading and writing the members of AWS JSON bodies.</summary>
internal static class JsonFields
{
    public static string? String(JsonNode? node, string name)
        => node?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static string RequiredString(JsonNode? node, string name, string what)
        => String(node, name) ?? throw new IngestException($"The answer to {what} has no '{name}'.");

    public static long? Long(JsonNode? node, string name)
        => node?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? (long)value.GetValue<double>() : null;

    /// <summary>Timestamps in AWS JSON 1.1 are epoch seconds (with fractions).</summary>
    public static DateTimeOffset? Time(JsonNode? node, string name)
        => node?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetValue<double>() * 1000))
            : null;

    public static IReadOnlyList<string> Strings(JsonNode? node, string name)
        => node?[name] is JsonArray array ? [.. array.Select(v => v?.GetValue<string>() ?? string.Empty)] : [];

    public static Dictionary<string, string> Map(JsonNode? node, string name)
        => node?[name] is JsonObject map
            ? map.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public static JsonObject ToJson(IEnumerable<KeyValuePair<string, string>> map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[key] = value;
        }

        return json;
    }

    public static JsonArray ToJson(IEnumerable<string> values) => [.. values.Select(v => (JsonNode?)JsonValue.Create(v))];

    /// <summary>Adds a member only when it has a value (AWS treats absent and null alike; absent keeps bodies small).</summary>
    public static JsonObject AddIf(this JsonObject json, string name, JsonNode? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }

        return json;
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
