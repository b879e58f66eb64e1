using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Definitions;

/// <summary>Reads the <c>options</c> object of a custom rule or source format as the extension's own type, as strictly as a definition is read.</summary>
internal static class ExtensionOptions
{
    private static readonly JsonSerializerOptions Reading = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Returns the options as <typeparamref name="T"/>, or <c>new T()</c> when there are none.</summary>
    /// <exception cref="ArgumentException">The options do not fit <typeparamref name="T"/> (the message names the member).</exception>
    public static T Read<T>(JsonElement? options)
        where T : new()
    {
        if (options is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return new T();
        }

        try
        {
            return element.Deserialize<T>(Reading) ?? new T();
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            var where = ex.Path is { Length: > 1 } path ? $" (at options{path[1..]})" : string.Empty;
            throw new ArgumentException((cut > 0 ? message[..cut] : message) + where, ex);
        }
    }
}
