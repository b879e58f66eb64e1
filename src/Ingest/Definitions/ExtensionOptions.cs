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
            var member = ex.Path is { Length: > 1 } path ? path[1..].TrimStart('.') : null;
            // The value found, for a value of the wrong type (an unknown member's value says nothing more).
            var found = member is null || message.Contains("could not be mapped", StringComparison.Ordinal) ? null : Find(element, member) is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array) } value ? value.GetRawText() : null;
            var where = member is null ? string.Empty : $" (at options{(member.StartsWith('[') ? member : "." + member)}{(found is null ? string.Empty : ", found " + found)})";
            throw new ExtensionOptionsException((cut > 0 ? message[..cut] : message) + where, member, ex);
        }
    }

    /// <summary>Finds a member of the options by its path (<c>fields[1].width</c>), or <see langword="null"/>.</summary>
    public static JsonElement? Find(JsonElement? options, string member)
    {
        if (options is not { ValueKind: JsonValueKind.Object } current)
        {
            return null;
        }

        var i = 0;
        while (i < member.Length)
        {
            if (member[i] == '.')
            {
                i++;
            }

            if (i < member.Length && member[i] == '[')
            {
                var close = member.IndexOf(']', i);
                if (close < 0 || current.ValueKind != JsonValueKind.Array
                    || !int.TryParse(member.AsSpan(i + 1, close - i - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                    || index >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[index];
                i = close + 1;
                continue;
            }

            var end = member.IndexOfAny(['.', '['], i);
            end = end < 0 ? member.Length : end;
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(member.AsSpan(i, end - i), out var next))
            {
                return null;
            }

            current = next;
            i = end;
        }

        return current;
    }
}

/// <summary>Options that do not fit the extension's type; <see cref="Member"/> is where (<c>fields[1].width</c>), when known.</summary>
internal sealed class ExtensionOptionsException(string message, string? member, Exception innerException) : ArgumentException(message, innerException)
{
    /// <summary>Gets the member under <c>options</c> the problem is at, or <see langword="null"/> for the object itself.</summary>
    public string? Member { get; } = member;
}
