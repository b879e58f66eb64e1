using System.Text.Json.Serialization;

namespace Ingest.Definitions;

/// <summary>
/// The format a source is read from: one of the built-in formats (files, or a relational database) or the name of a
/// format registered with <see cref="IngestExtensionsBuilder.AddSourceFormat"/>. Written in definitions as its name
/// (<c>csv</c>, <c>json-lines</c>, <c>parquet</c>, <c>database</c>, or lower-case kebab-case such as <c>fixed-width</c>).
/// </summary>
[JsonConverter(typeof(VocabularyNameJsonConverter<SourceFormat>))]
public readonly record struct SourceFormat : IVocabularyName<SourceFormat>
{
    private readonly string? _name;

    /// <summary>Creates a format from its name.</summary>
    /// <param name="name">The name, in lower-case kebab-case (<c>fixed-width</c>).</param>
    /// <exception cref="ArgumentException">The name is not lower-case kebab-case.</exception>
    public SourceFormat(string name) => _name = VocabularyName.Check(name, nameof(name));

    /// <summary>Gets delimited text (RFC 4180).</summary>
    public static SourceFormat Csv { get; } = new("csv");

    /// <summary>Gets one JSON object per line.</summary>
    public static SourceFormat JsonLines { get; } = new("json-lines");

    /// <summary>Gets Apache Parquet.</summary>
    public static SourceFormat Parquet { get; } = new("parquet");

    /// <summary>
    /// Gets a table or query of a relational database (see <see cref="SourceDefinition.Database"/>), extracted through ADO.NET
    /// by an extractor such as the one of the Ingest.Database package; the extract is kept in the raw zone.
    /// </summary>
    public static SourceFormat Database { get; } = new("database");

    /// <summary>Gets the formats the engine reads without registration.</summary>
    public static IReadOnlyList<SourceFormat> BuiltIn { get; } = [Csv, JsonLines, Parquet, Database];

    /// <summary>Gets the name (empty for the default value).</summary>
    public string Name => _name ?? string.Empty;

    /// <summary>Gets whether this is one of <see cref="BuiltIn"/>.</summary>
    public bool IsBuiltIn => BuiltIn.Contains(this);

    static IReadOnlyList<SourceFormat> IVocabularyName<SourceFormat>.BuiltIn => BuiltIn;

    static string IVocabularyName<SourceFormat>.What => "source format";

    static SourceFormat IVocabularyName<SourceFormat>.Create(string name) => new(name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>How a source is read and how its text values are converted.</summary>
public sealed record SourceDefinition
{
    /// <summary>Gets the file format.</summary>
    public required SourceFormat Format { get; init; }

    /// <summary>Gets the database settings (required when <see cref="Format"/> is <see cref="SourceFormat.Database"/>, absent otherwise).</summary>
    public DatabaseSourceSettings? Database { get; init; }

    /// <summary>
    /// Gets the settings of a custom format (a JSON object its reader reads through <see cref="Sources.SourceReaderContext.GetOptions{T}"/>);
    /// not allowed with a built-in format, whose settings are members of their own.
    /// </summary>
    /// <value>The default is <see langword="null"/> (no options).</value>
    public System.Text.Json.JsonElement? Options { get; init; }

    /// <summary>Gets the CSV settings (used when <see cref="Format"/> is <see cref="SourceFormat.Csv"/>).</summary>
    public CsvSettings Csv { get; init; } = new();

    /// <summary>Gets the text encoding of CSV and JSON Lines files. A byte order mark, when present, wins.</summary>
    /// <value>The default is <c>utf-8</c>. Invalid bytes fail the file with an error naming the byte offset.</value>
    public string Encoding { get; init; } = "utf-8";

    /// <summary>Gets the values read as null (compared after trimming nothing).</summary>
    /// <value>The default is the empty string.</value>
    public IReadOnlyList<string> NullMarkers { get; init; } = [""];

    /// <summary>Gets the accepted date formats (.NET custom format strings), tried in order.</summary>
    /// <value>The default is <c>yyyy-MM-dd</c>.</value>
    public IReadOnlyList<string> DateFormats { get; init; } = ["yyyy-MM-dd"];

    /// <summary>Gets the accepted timestamp formats, tried in order; empty means ISO 8601.</summary>
    /// <value>The default is empty (ISO 8601, such as <c>2024-05-01T10:15:00Z</c> or <c>2024-05-01 10:15:00</c>).</value>
    public IReadOnlyList<string> TimestampFormats { get; init; } = [];

    /// <summary>Gets the IANA time zone of timestamps that carry no offset.</summary>
    /// <value>The default is <c>UTC</c>.</value>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Gets the decimal separator of numbers (<c>.</c> or <c>,</c>).</summary>
    /// <value>The default is <c>.</c> (the invariant culture).</value>
    public string DecimalSeparator { get; init; } = ".";

    /// <summary>Gets the digit-group separator accepted in numbers, if any (for example <c>,</c> or a space).</summary>
    /// <value>The default is none: <c>1,000</c> is not a number.</value>
    public string? GroupSeparator { get; init; }
}

/// <summary>Settings of delimited text files.</summary>
public sealed record CsvSettings
{
    /// <summary>Gets the field delimiter (one character; <c>\t</c> for tab).</summary>
    /// <value>The default is <c>,</c>.</value>
    public string Delimiter { get; init; } = ",";

    /// <summary>Gets the quote character (one character).</summary>
    /// <value>The default is <c>"</c>.</value>
    public string Quote { get; init; } = "\"";

    /// <summary>Gets whether the first record is a header that names the columns.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Header { get; init; } = true;

    /// <summary>
    /// Gets the source column names by position, for files without a header (or to override it).
    /// When empty and there is no header, the schema's columns are taken in order.
    /// </summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>
    /// Gets how many lines one quoted field may span. A quote that is never closed would otherwise take the rest of the
    /// file into one record: at this limit the run fails, naming the line where the field opened.
    /// </summary>
    /// <value>The default is 1,000 lines (1 to 1,000,000).</value>
    public int MaxQuotedFieldLines { get; init; } = 1000;
}
