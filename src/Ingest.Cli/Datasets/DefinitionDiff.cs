using System.Text.Json.Nodes;
using Ingest.Definitions;

namespace Ingest.Cli.Datasets;

/// <summary>The kinds of column change a diff reports.</summary>
internal enum ColumnChangeKind
{
    Added,
    Removed,
    Type,
    Nullability,
    SourceColumn,
}

/// <summary>One column-level change.</summary>
internal sealed record ColumnChange(ColumnChangeKind Kind, string Column, string From, string To);

/// <summary>The differences between two definitions of a dataset and whether the second may follow the first.</summary>
internal sealed record DefinitionDiff(
    IReadOnlyList<ColumnChange> Columns,
    IReadOnlyList<string> OtherSections,
    IReadOnlyList<string> Incompatibilities)
{
    public bool IsCompatible => Incompatibilities.Count == 0;

    public bool IsEmpty => Columns.Count == 0 && OtherSections.Count == 0;

    public static DefinitionDiff Compare(DatasetDefinition from, DatasetDefinition to)
    {
        var columns = new List<ColumnChange>();
        foreach (var old in from.Columns)
        {
            var now = to.FindColumn(old.Name);
            if (now is null)
            {
                columns.Add(new ColumnChange(ColumnChangeKind.Removed, old.Name, DefinitionText.Column(old), "-"));
                continue;
            }

            if (now.Type != old.Type)
            {
                columns.Add(new ColumnChange(ColumnChangeKind.Type, old.Name, old.Type.ToString(), now.Type.ToString()));
            }

            if (now.Nullable != old.Nullable)
            {
                columns.Add(new ColumnChange(ColumnChangeKind.Nullability, old.Name, Nullability(old), Nullability(now)));
            }

            if (now.EffectiveSourceColumn != old.EffectiveSourceColumn)
            {
                columns.Add(new ColumnChange(ColumnChangeKind.SourceColumn, old.Name, old.EffectiveSourceColumn, now.EffectiveSourceColumn));
            }
        }

        foreach (var added in to.Columns.Where(c => from.FindColumn(c.Name) is null))
        {
            columns.Add(new ColumnChange(ColumnChangeKind.Added, added.Name, "-", DefinitionText.Column(added)));
        }

        return new DefinitionDiff(columns, ChangedSections(from, to), SchemaCompatibility.Check(from, to));
    }

    private static string Nullability(ColumnDefinition column) => column.Nullable ? "nullable" : "required";

    /// <summary>Names the top-level sections other than the columns (source, keys, write, quality, …) whose JSON differs.</summary>
    private static List<string> ChangedSections(DatasetDefinition from, DatasetDefinition to)
    {
        var a = JsonNode.Parse(DatasetDefinitionSerializer.Serialize(from))!.AsObject();
        var b = JsonNode.Parse(DatasetDefinitionSerializer.Serialize(to))!.AsObject();
        return [.. a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Where(key => key is not ("columns" or "id"))
            .Where(key => !JsonNode.DeepEquals(a[key], b[key]))];
    }
}
