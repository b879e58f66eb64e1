using System.Text.Json;
using Ingest.Definitions;

namespace Ingest.Cli.Datasets;

/// <summary>Short text forms of definition parts for tables.</summary>
internal static class DefinitionText
{
    public static string Kebab<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static string Partitioning(DatasetDefinition definition)
        => definition.Partitioning.Count == 0
            ? "-"
            : string.Join(", ", definition.Partitioning.Select(p => p.Transform switch
            {
                PartitionTransform.Identity => p.EffectiveName,
                PartitionTransform.IngestDate => $"{p.EffectiveName} (ingest date)",
                _ => $"{p.EffectiveName} ({Kebab(p.Transform)}({p.Column}))",
            }));

    public static string Column(ColumnDefinition column) => $"{column.Type}{(column.Nullable ? string.Empty : " not null")}";
}
