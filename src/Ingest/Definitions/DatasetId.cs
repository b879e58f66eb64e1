using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Definitions;

/// <summary>
/// The identity of a dataset: <c>domain.name</c>, both lower-case identifiers
/// (<c>[a-z][a-z0-9_]*</c>, at most 64 characters) so that they are safe as folder names,
/// object-key segments, Glue database/table names and SQL identifiers.
/// </summary>
[JsonConverter(typeof(DatasetIdJsonConverter))]
public readonly record struct DatasetId
{
    private DatasetId(string domain, string name)
    {
        Domain = domain;
        Name = name;
    }

    /// <summary>Gets the domain (the Glue database and the first folder under a zone).</summary>
    public string Domain { get; }

    /// <summary>Gets the dataset name within its domain.</summary>
    public string Name { get; }

    /// <summary>Creates an identifier from its two parts.</summary>
    /// <exception cref="ArgumentException">A part is not a valid identifier.</exception>
    public static DatasetId Create(string domain, string name)
    {
        Identifier.EnsureValid(domain, nameof(domain));
        Identifier.EnsureValid(name, nameof(name));
        return new DatasetId(domain, name);
    }

    /// <summary>Parses <c>domain.name</c>.</summary>
    /// <exception cref="ArgumentException">The text is not of the form <c>domain.name</c> with valid identifiers.</exception>
    public static DatasetId Parse(string value)
    {
        if (!TryParse(value, out var id, out var error))
        {
            throw new ArgumentException(error, nameof(value));
        }

        return id;
    }

    /// <summary>Tries to parse <c>domain.name</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out DatasetId id) => TryParse(value, out id, out _);

    internal static bool TryParse(string? value, out DatasetId id, out string error)
    {
        id = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "A dataset id is required, in the form domain.name (for example sales.orders).";
            return false;
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot != value.LastIndexOf('.') || dot == value.Length - 1)
        {
            error = $"'{value}' is not a dataset id: expected domain.name with exactly one dot (for example sales.orders).";
            return false;
        }

        var domain = value[..dot];
        var name = value[(dot + 1)..];
        if (!Identifier.IsValid(domain) || !Identifier.IsValid(name))
        {
            var d = Identifier.IsValid(domain) ? domain : Identifier.Suggest(domain);
            var n = Identifier.IsValid(name) ? name : Identifier.Suggest(name);
            var example = d is not null && n is not null ? $"{d}.{n}" : "sales.orders";
            error = $"'{value}' is not a dataset id: the domain and the name must each start with a lower-case letter and use only lower-case letters, digits and underscores (a-z, 0-9, _), at most 64 characters (for example {example}).";
            return false;
        }

        id = new DatasetId(domain, name);
        error = string.Empty;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Domain is null ? string.Empty : $"{Domain}.{Name}";
}

internal sealed class DatasetIdJsonConverter : JsonConverter<DatasetId>
{
    public override DatasetId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return DatasetId.TryParse(text, out var id, out var error) ? id : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, DatasetId value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString());
}
