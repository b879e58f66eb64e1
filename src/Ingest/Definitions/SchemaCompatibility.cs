namespace Ingest.Definitions;

/// <summary>
/// Decides whether a new definition version may follow the previous one. Compatible: adding a nullable
/// column, widening a type (int32→int64, float→double, decimal precision up at the same scale),
/// required→nullable, and any change to settings that do not shape stored data. Everything else is
/// listed, one sentence per incompatibility.
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>Returns the incompatibilities between <paramref name="previous"/> and <paramref name="next"/>; empty when compatible.</summary>
    public static IReadOnlyList<string> Check(DatasetDefinition previous, DatasetDefinition next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var problems = new List<string>();

        foreach (var old in previous.Columns)
        {
            var now = next.FindColumn(old.Name);
            if (now is null)
            {
                problems.Add($"column '{old.Name}' was removed");
                continue;
            }

            if (!now.Type.IsWideningOf(old.Type))
            {
                var narrowed = old.Type.IsWideningOf(now.Type) ? "narrowed" : "changed";
                problems.Add($"column '{old.Name}' {narrowed} from {old.Type} to {now.Type}");
            }

            if (old.Nullable && !now.Nullable)
            {
                problems.Add($"column '{old.Name}' changed from nullable to required");
            }
        }

        foreach (var added in next.Columns.Where(c => previous.FindColumn(c.Name) is null && !c.Nullable))
        {
            problems.Add($"new column '{added.Name}' is required; new columns must be nullable because earlier files lack them");
        }

        if (!SameSequence(previous.Partitioning.Select(Describe), next.Partitioning.Select(Describe)))
        {
            problems.Add($"partitioning changed from [{string.Join(", ", previous.Partitioning.Select(Describe))}] to [{string.Join(", ", next.Partitioning.Select(Describe))}]; files already written use the old layout");
        }

        if (!SameSequence(previous.Keys, next.Keys))
        {
            problems.Add($"keys changed from [{string.Join(", ", previous.Keys)}] to [{string.Join(", ", next.Keys)}]");
        }

        if (next.Table.Format is { } format && format != previous.TableFormat)
        {
            problems.Add($"table.format changed from {Name(previous.TableFormat)} to {Name(format)}; the files already written belong to a {Name(previous.TableFormat)} table (register a new dataset to change the format)");
        }

        if (previous.CatalogDatabase != next.CatalogDatabase || previous.CatalogTable != next.CatalogTable)
        {
            problems.Add($"catalog table changed from {previous.CatalogDatabase}.{previous.CatalogTable} to {next.CatalogDatabase}.{next.CatalogTable}");
        }

        return problems;
    }

    private static string Name(TableFormat format) => format.ToString().ToLowerInvariant();

    private static string Describe(PartitionField p)
        => p.Transform == PartitionTransform.IngestDate
            ? $"{p.EffectiveName}=ingest-date"
            : $"{p.EffectiveName}={p.Transform.ToString().ToLowerInvariant()}({p.Column})";

    private static bool SameSequence(IEnumerable<string> a, IEnumerable<string> b) => a.SequenceEqual(b, StringComparer.Ordinal);
}
