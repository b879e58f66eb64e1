using System.Globalization;
using System.Text;

namespace Ingest.Definitions.Inference;

/// <summary>A drafted definition and the report of how it was drafted.</summary>
/// <param name="Definition">The draft: valid, ready for <c>ingest datasets add</c> once reviewed.</param>
/// <param name="Report">What was decided and why, the suggestions not applied, and what the draft would reject of the sample.</param>
public sealed record InferredDefinition(DatasetDefinition Definition, InferenceReport Report);

/// <summary>How much of one file inference read.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Records">The data records read (the header not counted).</param>
/// <param name="Bytes">The bytes read (the sample; for Parquet, the file).</param>
/// <param name="WholeFile">Whether the sample is the whole file.</param>
public sealed record InferredInput(string Name, long Records, long Bytes, bool WholeFile);

/// <summary>What inference decided for one column, and why.</summary>
/// <param name="Name">The column name in the draft (a valid identifier).</param>
/// <param name="SourceColumn">The name in the file (header, property, field); <see langword="null"/> for a CSV file without header.</param>
/// <param name="Type">The narrowest type that holds every sampled value.</param>
/// <param name="Format">The date or timestamp format that reads every sampled value (empty: ISO 8601), if the type is one.</param>
/// <param name="Nullable">Whether the sample had nulls (or files without the column).</param>
/// <param name="Values">The non-null values sampled.</param>
/// <param name="Nulls">The nulls sampled (empty fields, null markers, absent properties).</param>
/// <param name="DistinctValues">The distinct non-null values sampled, when counted (up to 100,000).</param>
/// <param name="Reason">Why this type and nullability.</param>
public sealed record InferredColumn(string Name, string? SourceColumn, ColumnType Type, string? Format, bool Nullable, long Values, long Nulls, long? DistinctValues, string Reason);

/// <summary>The kinds of suggestion inference makes without applying them.</summary>
public enum SuggestionKind
{
    /// <summary>Columns unique and never null in the sample, for <c>keys</c> (and <c>write.mode</c> <c>merge</c>).</summary>
    Keys,

    /// <summary>A partition level on a date or timestamp column.</summary>
    Partitioning,

    /// <summary>A quality rule (<c>allowed-values</c> for a column with few distinct values).</summary>
    Rule,
}

/// <summary>A change inference suggests but did not make: the reviewer decides.</summary>
/// <param name="Kind">What kind of change.</param>
/// <param name="Member">The definition member it goes to (<c>keys</c>, <c>partitioning</c>, <c>quality.rules</c>).</param>
/// <param name="Json">The JSON to add there.</param>
/// <param name="Reason">What in the sample suggests it.</param>
public sealed record DefinitionSuggestion(SuggestionKind Kind, string Member, string Json, string Reason);

/// <summary>The report of <see cref="DefinitionInference.InferAsync"/>: the files read, every decision with its reason, the suggestions and the draft's check against the sample.</summary>
public sealed record InferenceReport
{
    /// <summary>Gets the files read and how much of each.</summary>
    public required IReadOnlyList<InferredInput> Inputs { get; init; }

    /// <summary>Gets the decisions about the source (format, encoding, delimiter, header, null markers, separators), one sentence each.</summary>
    public required IReadOnlyList<string> SourceDecisions { get; init; }

    /// <summary>Gets the decision for every column, in the draft's order.</summary>
    public required IReadOnlyList<InferredColumn> Columns { get; init; }

    /// <summary>Gets the suggestions, not applied to the draft.</summary>
    public required IReadOnlyList<DefinitionSuggestion> Suggestions { get; init; }

    /// <summary>Gets warnings a reviewer should read (ambiguous formats, values read differently, columns skipped).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Gets the draft checked against each file's sample by the engine's reader and conversion: the records a run would reject.</summary>
    public required IReadOnlyList<DefinitionCheckResult> Checks { get; init; }

    /// <summary>Gets the number of sampled records the draft would reject, over all files.</summary>
    public long RecordsRejected => Checks.Sum(c => c.RecordsRejected);

    /// <summary>Formats the report as text for a person: what was read, what was decided and why, the suggestions, the rejects.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine("Read:");
        foreach (var input in Inputs)
        {
            text.AppendLine(inv, $"  {input.Name}: {input.Records:#,0} records, {input.Bytes:#,0} bytes{(input.WholeFile ? " (the whole file)" : " (a sample: --all reads the whole file)")}");
        }

        text.AppendLine("Source:");
        foreach (var decision in SourceDecisions)
        {
            text.AppendLine(inv, $"  {decision}");
        }

        text.AppendLine("Columns:");
        var width = Columns.Count == 0 ? 0 : Columns.Max(c => c.Name.Length);
        var typeWidth = Columns.Count == 0 ? 0 : Columns.Max(c => Describe(c).Length);
        foreach (var c in Columns)
        {
            var from = c.SourceColumn is null || c.SourceColumn == c.Name ? string.Empty : $" <- \"{c.SourceColumn}\"";
            var counts = string.Create(inv, $"{c.Values:#,0} values, {c.Nulls:#,0} nulls{(c.DistinctValues is { } d ? $", {d:#,0} distinct" : string.Empty)}");
            text.AppendLine(inv, $"  {c.Name.PadRight(width)}  {Describe(c).PadRight(typeWidth)}{from}");
            text.AppendLine(inv, $"  {string.Empty.PadRight(width)}  {c.Reason}; {counts}");
        }

        if (Warnings.Count > 0)
        {
            text.AppendLine("Warnings:");
            foreach (var warning in Warnings)
            {
                text.AppendLine(inv, $"  {warning}");
            }
        }

        text.AppendLine(Suggestions.Count == 0 ? "Suggestions: none" : "Suggestions (not applied; add them to the definition if they hold for your data):");
        foreach (var s in Suggestions)
        {
            text.AppendLine(inv, $"  {s.Member}: {s.Json}");
            text.AppendLine(inv, $"    {s.Reason}");
        }

        text.AppendLine(inv, $"The draft against the sample ({RecordsRejected:#,0} records would be rejected):");
        foreach (var check in Checks)
        {
            var line = string.Create(inv, $"  {check.Input}: {check.RecordsRead:#,0} records read, {check.RecordsRejected:#,0} rejected");
            text.AppendLine(check.FileError is { } error ? $"{line}; the file would fail: {error}" : line);
            foreach (var reject in check.Rejects)
            {
                text.AppendLine(inv, $"    {reject}");
            }
        }

        return text.ToString();
    }

    private static string Describe(InferredColumn c)
    {
        var type = c.Type.ToString() + (c.Nullable ? string.Empty : " not null");
        return c.Format is null ? type : c.Format.Length == 0 ? $"{type} (ISO 8601)" : $"{type} ({c.Format})";
    }
}
