using System.Text.Json.Serialization;

namespace Ingest.Definitions;

/// <summary>
/// The dataset definition: the one document that drives how a source is read, the typed schema and
/// quality rules, the lake layout and partitions, the catalog table and the engine settings.
/// Instances are immutable; read and write them with <see cref="DatasetDefinitionSerializer"/>.
/// </summary>
public sealed record DatasetDefinition
{
    /// <summary>Gets the dataset identity, <c>domain.name</c>.</summary>
    public required DatasetId Id { get; init; }

    /// <summary>Gets a human description, copied to the catalog table comment.</summary>
    public string? Description { get; init; }

    /// <summary>Gets how the source is read.</summary>
    public required SourceDefinition Source { get; init; }

    /// <summary>Gets the ordered, typed columns.</summary>
    public required IReadOnlyList<ColumnDefinition> Columns { get; init; }

    /// <summary>Gets the names of the columns that identify a row (required by <see cref="WriteMode.Merge"/>).</summary>
    /// <value>The default is empty.</value>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Gets the partition fields, outermost first.</summary>
    /// <value>The default is empty (one unpartitioned folder).</value>
    public IReadOnlyList<PartitionField> Partitioning { get; init; } = [];

    /// <summary>Gets how a run's rows are written.</summary>
    public WriteSettings Write { get; init; } = new();

    /// <summary>Gets the quality rules and the reject budget.</summary>
    public QualitySettings Quality { get; init; } = new();

    /// <summary>Gets the table format of the curated zone.</summary>
    public TableSettings Table { get; init; } = new();

    /// <summary>Gets the catalog names.</summary>
    public CatalogSettings Catalog { get; init; } = new();

    /// <summary>Gets the engine settings.</summary>
    public EngineSettings Engine { get; init; } = new();

    /// <summary>Finds a column by name, or returns <see langword="null"/>.</summary>
    public ColumnDefinition? FindColumn(string name)
    {
        foreach (var column in Columns)
        {
            if (string.Equals(column.Name, name, StringComparison.Ordinal))
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>Gets the table format runs write: <see cref="TableSettings.Format"/>, or <see cref="TableFormat.Hive"/> for a definition stored before table formats existed.</summary>
    [JsonIgnore]
    public TableFormat TableFormat => Table.Format ?? TableFormat.Hive;

    /// <summary>Gets the Glue/DuckDB database name: <see cref="CatalogSettings.Database"/> or the domain.</summary>
    [JsonIgnore]
    public string CatalogDatabase => Catalog.Database ?? Id.Domain;

    /// <summary>Gets the catalog table name: <see cref="CatalogSettings.Table"/> or the dataset name.</summary>
    [JsonIgnore]
    public string CatalogTable => Catalog.Table ?? Id.Name;
}

/// <summary>A typed column.</summary>
public sealed record ColumnDefinition
{
    /// <summary>Gets the column name in the lake and the catalog (lower-case letters, digits and underscores, starting with a letter, at most 64 characters).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the column type.</summary>
    public required ColumnType Type { get; init; }

    /// <summary>Gets whether the column accepts nulls.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Nullable { get; init; } = true;

    /// <summary>Gets the column's name in the source (CSV header, JSON property, Parquet field), when it differs from <see cref="Name"/>.</summary>
    public string? SourceColumn { get; init; }

    /// <summary>
    /// Gets whether a source file may lack the column: it is then null in that file's rows, and the run counts the inputs
    /// without it (counter <c>ingest.inputs_without.</c><em>name</em>). Otherwise a file that lacks it fails the run.
    /// </summary>
    /// <value>The default is <see langword="false"/>. Needs <see cref="Nullable"/>.</value>
    public bool Optional { get; init; }

    /// <summary>Gets a description, copied to the catalog column comment.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the name to look up in the source.</summary>
    [JsonIgnore]
    public string EffectiveSourceColumn => SourceColumn ?? Name;
}
