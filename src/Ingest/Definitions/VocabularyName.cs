using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Ingest.Definitions;

/// <summary>A name of an open vocabulary (rule types, source formats): built-in values, and names registered by hosts.</summary>
internal interface IVocabularyName<TSelf>
    where TSelf : struct, IVocabularyName<TSelf>
{
    /// <summary>Gets the values known without registration.</summary>
    static abstract IReadOnlyList<TSelf> BuiltIn { get; }

    /// <summary>Gets what the vocabulary names, for messages (<c>rule type</c>).</summary>
    static abstract string What { get; }

    /// <summary>Creates the value of a well-formed name.</summary>
    static abstract TSelf Create(string name);

    /// <summary>Gets the name.</summary>
    string Name { get; }
}

/// <summary>The form of the names of open vocabularies: lower-case kebab-case, at most 64 characters.</summary>
internal static partial class VocabularyName
{
    public const string Pattern = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

    public const int MaxLength = 64;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && NameRegex().IsMatch(name);

    public static string Check(string name, string parameter)
        => IsValid(name)
            ? name
            : throw new ArgumentException($"'{name}' is not a valid name: use lower-case kebab-case ({Pattern}), at most {MaxLength} characters, such as fixed-width.", parameter);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}

/// <summary>Reads and writes a vocabulary value as its name; a name that is not well-formed is refused with the built-in names.</summary>
internal sealed class VocabularyNameJsonConverter<T> : JsonConverter<T>
    where T : struct, IVocabularyName<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var expected = string.Join(", ", T.BuiltIn.Select(v => v.Name));
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, one of: {expected}, or the name of a registered {T.What}.");
        }

        var text = reader.GetString()!;
        return VocabularyName.IsValid(text)
            ? T.Create(text)
            : throw new JsonException($"'{text}' is not a valid value: expected one of {expected}, or the name of a registered {T.What} (lower-case kebab-case).");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.Name.Length > 0 ? value.Name : throw new JsonException($"A {T.What} without a name cannot be written."));
}
