using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Ingest.Definitions;

/// <summary>
/// Reads and writes dataset definitions as JSON (camelCase members, kebab-case enum values),
/// validating them fully: a definition that is returned is one the engine can run.
/// </summary>
public static partial class DatasetDefinitionSerializer
{
    private static readonly JsonSerializerOptions Options = CreateOptions(indented: true);
    private static readonly JsonSerializerOptions CompactOptions = CreateOptions(indented: false);

    /// <summary>Gets the JSON Schema (draft 2020-12) of the definition document, for editors and CI checks.</summary>
    public static string JsonSchema { get; } = LoadSchema();

    /// <summary>Parses and validates a definition.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where the text came from (a file name), used in error messages.</param>
    /// <exception cref="DefinitionException">The JSON is malformed or the definition is invalid; each problem names its JSON path.</exception>
    /// <remarks>The definition may use the built-in rule types and source formats only; see <see cref="Deserialize(string, IngestExtensions, string)"/> for custom ones.</remarks>
    public static DatasetDefinition Deserialize(string json, string source = "(inline)") => Read(json, source, IngestExtensions.None);

    /// <summary>Parses and validates a definition that may use the custom rule types and source formats of <paramref name="extensions"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="extensions">The registered rules and formats; each custom rule of the definition is created once, to check its options.</param>
    /// <param name="source">Where the text came from (a file name), used in error messages.</param>
    /// <exception cref="DefinitionException">The JSON is malformed, the definition is invalid, or it names a rule type or source format <paramref name="extensions"/> does not know (the message lists those it knows).</exception>
    public static DatasetDefinition Deserialize(string json, IngestExtensions extensions, string source = "(inline)")
    {
        ArgumentNullException.ThrowIfNull(extensions);
        return Read(json, source, extensions);
    }

    /// <summary>
    /// Parses a definition a schema registry stored: validated as <see cref="Deserialize(string, string)"/> does, except that
    /// custom rule types and source formats need only be well-formed names (they were checked by the host that registered
    /// the definition, and are checked again by the pipeline that runs it). For registry implementations.
    /// </summary>
    /// <exception cref="DefinitionException">The stored text is not a valid definition.</exception>
    public static DatasetDefinition DeserializeRegistered(string json, string source) => Read(json, source, null);

    private static DatasetDefinition Read(string json, string source, IngestExtensions? extensions)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (IsEmpty(json))
        {
            throw new DefinitionException(source, [new DefinitionError("$", "the file is empty; expected a dataset definition, a JSON object such as {\"id\": \"sales.orders\", …}.")]);
        }

        DatasetDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<DatasetDefinition>(json, Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {ex.BytePositionInLine + 1})")
                : string.Empty;
            var path = ex.Path ?? "$";
            var message = (UnknownMemberMessage(ex.Message, path) ?? CleanJsonMessage(ex.Message)) + where;
            throw new DefinitionException(source, [new DefinitionError(path, message)]);
        }

        if (definition is null)
        {
            throw new DefinitionException(source, [new DefinitionError("$", "the document is null; expected an object.")]);
        }

        var errors = DefinitionValidator.Validate(definition, extensions);
        if (errors.Count > 0)
        {
            throw new DefinitionException(source, errors);
        }

        return definition;
    }

    /// <summary>Reads, parses and validates a definition file (built-in rule types and source formats only).</summary>
    /// <exception cref="DefinitionException">The file is invalid.</exception>
    /// <exception cref="IngestException">The file cannot be read.</exception>
    public static Task<DatasetDefinition> ReadFileAsync(string path, CancellationToken cancellationToken = default) => ReadFileAsync(path, IngestExtensions.None, cancellationToken);

    /// <summary>Reads, parses and validates a definition file that may use the custom rule types and source formats of <paramref name="extensions"/>.</summary>
    /// <exception cref="DefinitionException">The file is invalid.</exception>
    /// <exception cref="IngestException">The file cannot be read.</exception>
    public static async Task<DatasetDefinition> ReadFileAsync(string path, IngestExtensions extensions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IngestException($"Cannot read definition file {path}: {ex.Message}", ex) { Location = path };
        }

        return Read(json, Path.GetFileName(path), extensions);
    }

    /// <summary>Validates a definition built in code (built-in rule types and source formats only).</summary>
    /// <exception cref="DefinitionException">The definition is invalid.</exception>
    public static void EnsureValid(DatasetDefinition definition, string source = "(code)") => Ensure(definition, source, IngestExtensions.None);

    /// <summary>Validates a definition built in code that may use the custom rule types and source formats of <paramref name="extensions"/>.</summary>
    /// <exception cref="DefinitionException">The definition is invalid, or names a rule type or source format <paramref name="extensions"/> does not know.</exception>
    public static void EnsureValid(DatasetDefinition definition, IngestExtensions extensions, string source = "(code)")
    {
        ArgumentNullException.ThrowIfNull(extensions);
        Ensure(definition, source, extensions);
    }

    /// <summary>Validates a definition a registry is about to store: custom names need only be well-formed (see <see cref="DeserializeRegistered"/>).</summary>
    internal static void EnsureValidToStore(DatasetDefinition definition) => Ensure(definition, "(code)", null);

    private static void Ensure(DatasetDefinition definition, string source, IngestExtensions? extensions)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = DefinitionValidator.Validate(definition, extensions);
        if (errors.Count > 0)
        {
            throw new DefinitionException(source, errors);
        }
    }

    /// <summary>Writes a definition as indented JSON.</summary>
    public static string Serialize(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return JsonSerializer.Serialize(definition, Options);
    }

    /// <summary>
    /// Gets a SHA-256 fingerprint of the definition's canonical form: two definitions with the same
    /// fingerprint are the same version.
    /// </summary>
    public static string Fingerprint(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(definition, CompactOptions);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static JsonSerializerOptions CreateOptions(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,

            // The web defaults read member names case-insensitively and numbers from strings; the same
            // document is read by the Glue job and checked against the JSON Schema, so accept one spelling only.
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
            AllowDuplicateProperties = false,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new KebabCaseEnumConverterFactory());

        // Computed members (CatalogTable, EffectiveName, …) are [JsonIgnore]d, but System.Text.Json still
        // skips input members of an ignored name silently; drop them from the contract so they count as unknown.
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RemoveReadOnlyMembers } };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static void RemoveReadOnlyMembers(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].Set is null)
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }

    /// <summary>Whether the text holds no JSON token: nothing but white space and comments.</summary>
    private static bool IsEmpty(string json)
    {
        // Not the final block: the reader then answers "no token yet" instead of throwing at the end of the text.
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip }));
        try
        {
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The serializer's "could not be mapped to any .NET member" in a person's words: which object the member is not part
    /// of, and the nearest member it has (a misspelling) or the list of its members.
    /// </summary>
    private static string? UnknownMemberMessage(string message, string path)
    {
        if (UnmappedMemberRegex().Match(message) is not { Success: true } match
            || typeof(DatasetDefinition).Assembly.GetType(match.Groups["type"].Value) is not { } type)
        {
            return null;
        }

        var members = Options.GetTypeInfo(type).Properties.Select(p => p.Name).ToList();
        var name = match.Groups["name"].Value;
        var cut = path.LastIndexOf('.');
        var parent = cut > 1 ? path[2..cut] : string.Empty;
        var what = type == typeof(DatasetDefinition) ? "is not a definition member" : $"is not a member of {(parent.Length > 0 ? parent : type.Name)}";
        return Suggestions.Closest(name, members) is { } closest
            ? $"{what}; did you mean {closest}?"
            : $"{what}; its members are {string.Join(", ", members)}.";
    }

    [GeneratedRegex(@"The JSON property '(?<name>.*)' could not be mapped to any \.NET member contained in type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedMemberRegex();

    private static string CleanJsonMessage(string message)
    {
        // System.Text.Json appends "Path: $.x | LineNumber: 3 | BytePositionInLine: 4." which we report ourselves.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Replace("System.", string.Empty, StringComparison.Ordinal)
            .Replace("Ingest.Definitions.", string.Empty, StringComparison.Ordinal);
    }

    private static string LoadSchema()
    {
        using var stream = typeof(DatasetDefinitionSerializer).Assembly.GetManifestResourceStream("Ingest.dataset-definition.schema.json")
            ?? throw new InvalidOperationException("The embedded definition schema is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

internal sealed partial class NumberOrStringJsonConverter : JsonConverter<string?>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray()),
            _ => throw new JsonException("Expected a number or a string."),
        };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        // Only text that is a JSON number token goes out raw: ".5", "+1" or " 1" parse as decimals but are not JSON.
        if (value is not null && IsJsonNumber(value))
        {
            writer.WriteRawValue(value);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static bool IsJsonNumber(string value) => JsonNumberRegex().IsMatch(value);

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumberRegex();
}

/// <summary>
/// Reads and writes enums as their kebab-case-lower names only. <see cref="JsonStringEnumConverter"/> also accepts
/// the C# names in any case and comma-separated combinations (<c>"append, merge"</c>), which turn into values no
/// enum member has.
/// </summary>
internal sealed class KebabCaseEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
        => (JsonConverter)Activator.CreateInstance(typeof(KebabCaseEnumConverter<>).MakeGenericType(typeToConvert))!;
}

internal sealed class KebabCaseEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly Dictionary<string, TEnum> ByName = Enum.GetValues<TEnum>()
        .ToDictionary(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()), StringComparer.Ordinal);

    private static readonly Dictionary<TEnum, string> ByValue = ByName.ToDictionary(p => p.Value, p => p.Key);

    private static readonly string Expected = string.Join(", ", ByName.Keys);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, one of: {Expected}.");
        }

        var text = reader.GetString()!;
        return ByName.TryGetValue(text, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a valid value: expected one of {Expected}.");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        => writer.WriteStringValue(ByValue.TryGetValue(value, out var name)
            ? name
            : throw new JsonException($"{typeof(TEnum).Name} value {value} is not defined."));
}
