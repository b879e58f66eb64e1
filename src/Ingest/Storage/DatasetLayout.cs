using Ingest.Definitions;

namespace Ingest.Storage;

/// <summary>
/// Where a dataset's objects live in each zone and which columns its files carry. Every backend and every
/// reader (DuckDB views, Glue tables, the Glue job) derives the layout from here, so they cannot disagree.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>curated, Hive: <c>{domain}/{name}/{partition}=value/…/part-{runId}-{nnnnn}.parquet</c></item>
/// <item>curated, Iceberg: data files at <c>{domain}/{name}/data/{partition}=value/…/part-{runId}-{nnnnn}.parquet</c>
/// (written once, where they stay), table metadata, manifest lists and manifests under <c>{domain}/{name}/metadata/</c>.</item>
/// <item>quarantine: <c>{domain}/{name}/ingest_date=yyyy-MM-dd/part-{runId}-{nnnnn}.parquet</c></item>
/// <item>raw: <c>{domain}/{name}/ingest_date=yyyy-MM-dd/{runId}/{file name}</c> (written in place by the run that read it; the SHA-256 is in the ledger)</item>
/// <item>staging (in each zone): <c>_staging/{domain}/{name}/{runId}/…</c>, never under a dataset prefix, so readers never see it.</item>
/// <item>rejects of a failed run (quarantine zone): <c>_failed_runs/{domain}/{name}/{runId}/rejects-{runId}-{nnnnn}.parquet</c>, kept apart
/// from the published quarantine (no table reads them) so that a run over its reject budget can be inspected.</item>
/// </list>
/// </remarks>
internal static class DatasetLayout
{
    /// <summary>The prefix under which runs stage objects before the commit.</summary>
    public const string StagingRoot = "_staging";

    /// <summary>The prefix of the quarantine zone under which failed runs keep their rejected rows, apart from every table.</summary>
    public const string FailedRunsRoot = "_failed_runs";

    /// <summary>The lineage columns appended to every curated file, in order.</summary>
    public static IReadOnlyList<ColumnDefinition> LineageColumns { get; } =
    [
        new() { Name = "_ingest_run_id", Type = ColumnType.String, Nullable = false, Description = "The run that wrote the row." },
        new() { Name = "_source_file", Type = ColumnType.String, Nullable = false, Description = "The input file the row came from." },
        new() { Name = "_source_line", Type = ColumnType.Int64, Nullable = false, Description = "The 1-based line (or row number) of the row in its input." },
        new() { Name = "_ingested_at", Type = ColumnType.Timestamp, Nullable = false, Description = "When the run started." },
    ];

    /// <summary>The metadata columns of quarantine files after the source columns (which are all strings), in order.</summary>
    public static IReadOnlyList<ColumnDefinition> QuarantineMetadataColumns { get; } =
    [
        new() { Name = "_reason", Type = ColumnType.String, Nullable = false, Description = "Why the row was rejected." },
        new() { Name = "_raw_record", Type = ColumnType.String, Description = "The whole record when it could not be split into the expected columns." },
        new() { Name = "_ingest_run_id", Type = ColumnType.String, Nullable = false },
        new() { Name = "_source_file", Type = ColumnType.String, Nullable = false },
        new() { Name = "_source_line", Type = ColumnType.Int64, Nullable = false },
        new() { Name = "_ingested_at", Type = ColumnType.Timestamp, Nullable = false },
    ];

    /// <summary>Gets the dataset's prefix in every zone: <c>{domain}/{name}/</c>.</summary>
    public static string DatasetPrefix(DatasetId dataset) => $"{dataset.Domain}/{dataset.Name}/";

    /// <summary>Gets the prefix of an Iceberg table's data files: <c>{domain}/{name}/data/</c>.</summary>
    public static string IcebergDataPrefix(DatasetId dataset) => DatasetPrefix(dataset) + "data/";

    /// <summary>Gets a run's staging prefix: <c>_staging/{domain}/{name}/{runId}/</c>.</summary>
    public static string StagingPrefix(DatasetId dataset, string runId) => $"{StagingRoot}/{dataset.Domain}/{dataset.Name}/{runId}/";

    /// <summary>Gets where a failed run keeps its rejected rows in the quarantine zone: <c>_failed_runs/{domain}/{name}/{runId}/</c>.</summary>
    public static string FailedRunRejectsPrefix(DatasetId dataset, string runId) => $"{FailedRunsRoot}/{dataset.Domain}/{dataset.Name}/{runId}/";

    /// <summary>Gets where table maintenance keeps its journals in the curated zone: <c>_maintenance/{domain}/{name}/</c> (outside the table's location).</summary>
    public static string MaintenanceJournalPrefix(DatasetId dataset) => $"_maintenance/{dataset.Domain}/{dataset.Name}/";

    /// <summary>Gets where readers hold an Iceberg table's snapshots against expiry in the curated zone: <c>_readers/{domain}/{name}/</c>.</summary>
    public static string ReaderHoldPrefix(DatasetId dataset) => $"_readers/{dataset.Domain}/{dataset.Name}/";

    /// <summary>Gets the prefix under which all runs of a dataset stage: <c>_staging/{domain}/{name}/</c>.</summary>
    public static string StagingDatasetPrefix(DatasetId dataset) => $"{StagingRoot}/{dataset.Domain}/{dataset.Name}/";

    /// <summary>
    /// Gets the columns stored inside curated Parquet files, in order: the schema's columns (for a Hive table except
    /// those that identity partitions move into folder names), then the lineage columns.
    /// </summary>
    public static IReadOnlyList<ColumnDefinition> CuratedFileColumns(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.TableFormat == TableFormat.Iceberg)
        {
            return [.. definition.Columns, .. LineageColumns];
        }

        var moved = definition.Partitioning
            .Where(p => p.Transform == PartitionTransform.Identity)
            .Select(p => p.Column)
            .ToHashSet(StringComparer.Ordinal);
        return [.. definition.Columns.Where(c => !moved.Contains(c.Name)), .. LineageColumns];
    }

    /// <summary>
    /// Gets the partition columns in folder order with their types (what a catalog declares as partition keys); none
    /// for an Iceberg table, whose partitioning is hidden (queries filter on the source columns and still prune).
    /// </summary>
    public static IReadOnlyList<ColumnDefinition> PartitionColumns(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.TableFormat == TableFormat.Iceberg)
        {
            return [];
        }

        return [.. definition.Partitioning.Select(p => new ColumnDefinition
        {
            Name = p.EffectiveName,
            Type = PartitionType(definition, p),
            Nullable = false,
            Description = p.Transform == PartitionTransform.IngestDate
                ? "The UTC date of the run that wrote the row."
                : $"{p.Transform.ToString().ToLowerInvariant()}({p.Column})",
        })];
    }

    /// <summary>Gets the columns of quarantine files: every source column as a nullable string, then <see cref="QuarantineMetadataColumns"/>.</summary>
    public static IReadOnlyList<ColumnDefinition> QuarantineFileColumns(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return [.. definition.Columns.Select(c => new ColumnDefinition { Name = c.Name, Type = ColumnType.String, Nullable = true }), .. QuarantineMetadataColumns];
    }

    private static ColumnType PartitionType(DatasetDefinition definition, PartitionField p) => p.Transform switch
    {
        PartitionTransform.Identity => definition.FindColumn(p.Column!)?.Type ?? ColumnType.String,
        PartitionTransform.Year => ColumnType.Int32,
        PartitionTransform.Month => ColumnType.String,
        PartitionTransform.Day or PartitionTransform.IngestDate => ColumnType.Date,
        _ => ColumnType.String,
    };
}
