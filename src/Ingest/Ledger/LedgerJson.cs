using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Ledger;

/// <summary>
/// The JSON form of ledger records (<see cref="RunRecord"/>, <see cref="Lease"/>, <see cref="SourceFingerprint"/>) that every
/// ledger stores and other readers (the Glue job, the state machine) parse: camelCase members, kebab-case enum values.
/// One definition, so that the SQLite and DynamoDB ledgers cannot drift apart.
/// </summary>
internal static class LedgerJson
{
    /// <summary>Gets the serializer options of ledger records (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Writes a ledger record.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a ledger record.</summary>
    /// <exception cref="IngestException">The stored JSON is <c>null</c>.</exception>
    public static T Deserialize<T>(string body)
        => JsonSerializer.Deserialize<T>(body, Options) ?? throw new IngestException($"The ledger holds a null {typeof(T).Name} item.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
