using Ingest.Definitions;

namespace Ingest.Database.Extraction;

/// <summary>The columns an extraction selects (each source column once, typed by the first schema column that reads it) and the ordinals of the cursor, the range column and the keys.</summary>
internal sealed class ExtractPlan
{
    private ExtractPlan(DatasetDefinition definition, List<(string Name, ColumnType Type, string SchemaColumn)> fields)
    {
        Definition = definition;
        Database = definition.Source.Database!;
        Fields = fields;
        Cursor = Database.Cursor is { } cursor ? Ordinal(definition.FindColumn(cursor.Column)!.EffectiveSourceColumn) : -1;
        Partition = Database.PartitionColumn is { } partition ? Ordinal(definition.FindColumn(partition)!.EffectiveSourceColumn) : -1;
        Keys = [.. definition.Keys.Select(k => Ordinal(definition.FindColumn(k)!.EffectiveSourceColumn))];
        Zone = TimeZoneInfo.FindSystemTimeZoneById(definition.Source.TimeZone);
    }

    public DatasetDefinition Definition { get; }

    public DatabaseSourceSettings Database { get; }

    public IReadOnlyList<(string Name, ColumnType Type, string SchemaColumn)> Fields { get; }

    /// <summary>Gets the ordinal of the cursor column in <see cref="Fields"/>, or -1.</summary>
    public int Cursor { get; }

    /// <summary>Gets the ordinal of the range column in <see cref="Fields"/>, or -1.</summary>
    public int Partition { get; }

    public IReadOnlyList<int> Keys { get; }

    public TimeZoneInfo Zone { get; }

    public static ExtractPlan For(DatasetDefinition definition)
    {
        var fields = new List<(string, ColumnType, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in definition.Columns)
        {
            if (seen.Add(column.EffectiveSourceColumn))
            {
                fields.Add((column.EffectiveSourceColumn, column.Type, column.Name));
            }
        }

        return new ExtractPlan(definition, fields);
    }

    public string SelectList(SqlDialect dialect) => string.Join(", ", Fields.Select(f => dialect.Quote(f.Name)));

    private int Ordinal(string sourceColumn)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i].Name, sourceColumn, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Source column {sourceColumn} is not selected.");
    }
}
