using System.Text.Json.Serialization;

namespace Ingest.Definitions;

/// <summary>How a partition value is derived.</summary>
public enum PartitionTransform
{
    /// <summary>The column's own value (the column moves from the data files into the folder name).</summary>
    Identity,

    /// <summary>The year of a date or timestamp (<c>yyyy</c>).</summary>
    Year,

    /// <summary>The month of a date or timestamp (<c>yyyy-MM</c>).</summary>
    Month,

    /// <summary>The day of a date or timestamp (<c>yyyy-MM-dd</c>).</summary>
    Day,

    /// <summary>The UTC date of the run (<c>yyyy-MM-dd</c>); needs no column.</summary>
    IngestDate,
}

/// <summary>One level of Hive-style partitioning (<c>name=value/</c>).</summary>
public sealed record PartitionField
{
    /// <summary>Gets the source column (not used by <see cref="PartitionTransform.IngestDate"/>).</summary>
    public string? Column { get; init; }

    /// <summary>Gets the transform.</summary>
    /// <value>The default is <see cref="PartitionTransform.Identity"/>.</value>
    public PartitionTransform Transform { get; init; } = PartitionTransform.Identity;

    /// <summary>Gets the partition column name; defaults to the column (identity), <c>ingest_date</c>, or <c>column_transform</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the partition column name in folders and in the catalog.</summary>
    [JsonIgnore]
    public string EffectiveName => Name ?? Transform switch
    {
        PartitionTransform.Identity => Column ?? string.Empty,
        PartitionTransform.IngestDate => "ingest_date",
        _ => $"{Column}_{Transform.ToString().ToLowerInvariant()}",
    };
}

/// <summary>How a run's rows are combined with the data already in the lake.</summary>
public enum WriteMode
{
    /// <summary>Adds the run's files; nothing is replaced.</summary>
    Append,

    /// <summary>Replaces every partition the run wrote to, and only those.</summary>
    OverwritePartitions,

    /// <summary>Replaces rows whose keys appear in the run; adds the others.</summary>
    Merge,
}

/// <summary>Parquet compression codecs.</summary>
public enum ParquetCompression
{
    /// <summary>Snappy (fast, the default).</summary>
    Snappy,

    /// <summary>Zstandard.</summary>
    Zstd,

    /// <summary>Gzip.</summary>
    Gzip,

    /// <summary>No compression.</summary>
    None,
}

/// <summary>How a run writes.</summary>
public sealed record WriteSettings
{
    /// <summary>Gets the write mode.</summary>
    /// <value>The default is <see cref="WriteMode.Append"/>.</value>
    public WriteMode Mode { get; init; } = WriteMode.Append;

    /// <summary>Gets the size at which a Parquet file is closed and the next one started, in MiB.</summary>
    /// <value>The default is 128.</value>
    public int TargetFileSizeMb { get; init; } = 128;

    /// <summary>Gets the uncompressed size of buffered rows at which a row group is written, in MiB.</summary>
    /// <value>The default is 32.</value>
    public int RowGroupSizeMb { get; init; } = 32;

    /// <summary>Gets the compression codec.</summary>
    /// <value>The default is <see cref="ParquetCompression.Snappy"/>.</value>
    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;
}

/// <summary>
/// The type of a quality rule: one of the built-in types or the name of a rule registered with
/// <see cref="IngestExtensionsBuilder.AddQualityRule"/>. Written in definitions as its name (<c>not-null</c>, <c>unique</c>,
/// <c>range</c>, <c>regex</c>, <c>allowed-values</c>, or lower-case kebab-case such as <c>luhn</c>).
/// </summary>
[JsonConverter(typeof(VocabularyNameJsonConverter<QualityRuleType>))]
public readonly record struct QualityRuleType : IVocabularyName<QualityRuleType>
{
    private readonly string? _name;

    /// <summary>Creates a rule type from its name.</summary>
    /// <param name="name">The name, in lower-case kebab-case (<c>luhn</c>).</param>
    /// <exception cref="ArgumentException">The name is not lower-case kebab-case.</exception>
    public QualityRuleType(string name) => _name = VocabularyName.Check(name, nameof(name));

    /// <summary>Gets the rule that the column must not be null.</summary>
    public static QualityRuleType NotNull { get; } = new("not-null");

    /// <summary>Gets the rule that the columns' combined value must not repeat within the run.</summary>
    public static QualityRuleType Unique { get; } = new("unique");

    /// <summary>Gets the rule that the value must lie within <c>min</c> and <c>max</c> (inclusive; either may be omitted).</summary>
    public static QualityRuleType Range { get; } = new("range");

    /// <summary>Gets the rule that the text value must match <c>pattern</c> (a .NET regular expression, matched in full).</summary>
    public static QualityRuleType Regex { get; } = new("regex");

    /// <summary>Gets the rule that the value must be one of <c>values</c>.</summary>
    public static QualityRuleType AllowedValues { get; } = new("allowed-values");

    /// <summary>Gets the rule types the engine checks without registration.</summary>
    public static IReadOnlyList<QualityRuleType> BuiltIn { get; } = [NotNull, Unique, Range, Regex, AllowedValues];

    /// <summary>Gets the name (empty for the default value).</summary>
    public string Name => _name ?? string.Empty;

    /// <summary>Gets whether this is one of <see cref="BuiltIn"/>.</summary>
    public bool IsBuiltIn => BuiltIn.Contains(this);

    static IReadOnlyList<QualityRuleType> IVocabularyName<QualityRuleType>.BuiltIn => BuiltIn;

    static string IVocabularyName<QualityRuleType>.What => "rule type";

    static QualityRuleType IVocabularyName<QualityRuleType>.Create(string name) => new(name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>What a broken rule does.</summary>
public enum RuleAction
{
    /// <summary>The row goes to the quarantine zone with the reason; the run goes on.</summary>
    Reject,

    /// <summary>The run fails and publishes nothing.</summary>
    Fail,
}

/// <summary>A data quality rule.</summary>
public sealed record QualityRule
{
    /// <summary>Gets the rule type.</summary>
    public required QualityRuleType Type { get; init; }

    /// <summary>Gets an optional name used in reasons and metrics; defaults to <c>type(column)</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the column the rule applies to (all rules but <see cref="QualityRuleType.Unique"/>).</summary>
    public string? Column { get; init; }

    /// <summary>Gets the columns of a <see cref="QualityRuleType.Unique"/> rule.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Gets the inclusive lower bound of a range, in the column's text form (number, date or timestamp).</summary>
    [JsonConverter(typeof(NumberOrStringJsonConverter))]
    public string? Min { get; init; }

    /// <summary>Gets the inclusive upper bound of a range, in the column's text form.</summary>
    [JsonConverter(typeof(NumberOrStringJsonConverter))]
    public string? Max { get; init; }

    /// <summary>Gets the regular expression of a <see cref="QualityRuleType.Regex"/> rule.</summary>
    public string? Pattern { get; init; }

    /// <summary>Gets the allowed values (text form) of an <see cref="QualityRuleType.AllowedValues"/> rule.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>Gets what a broken rule does.</summary>
    /// <value>The default is <see cref="RuleAction.Reject"/>.</value>
    public RuleAction Action { get; init; } = RuleAction.Reject;

    /// <summary>
    /// Gets the options of a custom rule (a JSON object the rule reads through <see cref="Quality.QualityRuleContext.GetOptions{T}"/>);
    /// not allowed on built-in rules, whose settings are members of their own.
    /// </summary>
    /// <value>The default is <see langword="null"/> (no options).</value>
    public System.Text.Json.JsonElement? Options { get; init; }

    /// <summary>Gets the name used in reasons: <see cref="Name"/> or <c>type(columns)</c>.</summary>
    [JsonIgnore]
    public string DisplayName => Name ?? $"{Type.Name}({(Column ?? string.Join(',', Columns))})";
}

/// <summary>Quality rules and the reject budget.</summary>
public sealed record QualitySettings
{
    /// <summary>Gets the largest share of rejected rows (0–1) a run may have and still publish.</summary>
    /// <value>The default is 0.05.</value>
    public double MaxRejectRatio { get; init; } = 0.05;

    /// <summary>Gets the rules, checked in order after type conversion.</summary>
    public IReadOnlyList<QualityRule> Rules { get; init; } = [];
}

/// <summary>How partitions reach the catalog.</summary>
public enum PartitionStrategy
{
    /// <summary>Partitions are registered explicitly after each commit.</summary>
    Register,

    /// <summary>The table carries partition projection properties; nothing is registered.</summary>
    Projection,
}

/// <summary>The table formats of the curated zone.</summary>
public enum TableFormat
{
    /// <summary>
    /// Apache Iceberg (format version 2): data files are written once where they stay, and a run becomes visible
    /// by one compare-and-swap of the table's metadata pointer, so readers always see whole runs.
    /// </summary>
    Iceberg,

    /// <summary>
    /// Hive-style folders (<c>name=value/</c>) read by listing a prefix. Files are staged and promoted after the
    /// commit manifest: a reader that lists the folders while a run promotes can see part of it.
    /// </summary>
    Hive,
}

/// <summary>The table format of the curated zone.</summary>
public sealed record TableSettings
{
    /// <summary>
    /// Gets the table format, or <see langword="null"/> when the definition does not say: registering it then takes
    /// the format of the dataset's previous version, or <see cref="TableFormat.Iceberg"/> for a new dataset, and
    /// stores it explicitly.
    /// </summary>
    /// <value>The default is <see langword="null"/> (resolved at registration).</value>
    public TableFormat? Format { get; init; }

    /// <summary>Gets how an Iceberg table is kept healthy: snapshot retention, orphan files and compaction (<c>ingest maintain</c>).</summary>
    public TableMaintenanceSettings Maintenance { get; init; } = new();
}

/// <summary>
/// How an Iceberg table is kept healthy. Retention is written into the table's properties with Iceberg's own names
/// (<c>history.expire.max-snapshot-age-ms</c>, <c>history.expire.min-snapshots-to-keep</c>), so other engines' expiry honours it too.
/// </summary>
public sealed record TableMaintenanceSettings
{
    /// <summary>Gets how many days after its commit a snapshot is expired (the latest <see cref="MinSnapshotsToKeep"/> always stay).</summary>
    /// <value>The default is 7.</value>
    public int SnapshotRetentionDays { get; init; } = 7;

    /// <summary>Gets how many of the latest snapshots of the current history are always kept, whatever their age.</summary>
    /// <value>The default is 5.</value>
    public int MinSnapshotsToKeep { get; init; } = 5;

    /// <summary>
    /// Gets how old a file under the table that no snapshot references must be before orphan removal deletes it, in
    /// hours: longer than any run takes (a running run's files are referenced only once it commits).
    /// </summary>
    /// <value>The default is 24.</value>
    public int OrphanGraceHours { get; init; } = 24;

    /// <summary>Gets the size under which a data file counts as small for compaction, in MiB; <see langword="null"/>: three quarters of <see cref="WriteSettings.TargetFileSizeMb"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public int? SmallFileSizeMb { get; init; }

    /// <summary>Gets how many small files a partition must have before compaction rewrites them.</summary>
    /// <value>The default is 5.</value>
    public int CompactionMinFiles { get; init; } = 5;

    /// <summary>
    /// Gets whether compaction writes a partition's rows ordered by the definition's keys, so that the files' min/max
    /// bounds let engines skip more of them; a partition whose small files exceed a quarter of the memory budget is
    /// compacted unordered.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool SortByKeys { get; init; }

    /// <summary>Gets whether a successful run maintains the table when a threshold is crossed (a partition it wrote has <see cref="CompactionMinFiles"/> small files, or snapshots are past retention).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool AfterRuns { get; init; }
}

/// <summary>Catalog names and settings.</summary>
public sealed record CatalogSettings
{
    /// <summary>Gets the database (Glue database, DuckDB schema); defaults to the domain.</summary>
    public string? Database { get; init; }

    /// <summary>Gets the table name; defaults to the dataset name.</summary>
    public string? Table { get; init; }

    /// <summary>Gets how partitions reach the catalog.</summary>
    /// <value>The default is <see cref="PartitionStrategy.Register"/>.</value>
    public PartitionStrategy PartitionStrategy { get; init; } = PartitionStrategy.Register;

    /// <summary>Gets the Athena workgroup for queries on AWS.</summary>
    /// <value>The default is <c>primary</c>.</value>
    public string Workgroup { get; init; } = "primary";
}

/// <summary>Where the ingest runs.</summary>
public enum EngineKind
{
    /// <summary>The in-process engine of this SDK.</summary>
    Local,

    /// <summary>An AWS Glue job, orchestrated by Step Functions.</summary>
    Glue,
}

/// <summary>Engine settings.</summary>
public sealed record EngineSettings
{
    /// <summary>Gets the engine.</summary>
    /// <value>The default is <see cref="EngineKind.Local"/>.</value>
    public EngineKind Kind { get; init; } = EngineKind.Local;

    /// <summary>Gets the memory budget of buffered rows across all open partitions, in MiB.</summary>
    /// <value>The default is 256.</value>
    public int MemoryBudgetMb { get; init; } = 256;

    /// <summary>Gets the AWS Glue job settings.</summary>
    public GlueSettings Glue { get; init; } = new();
}

/// <summary>Settings of the AWS Glue job run for a dataset.</summary>
public sealed record GlueSettings
{
    /// <summary>Gets the Glue version.</summary>
    /// <value>The default is <c>5.0</c>.</value>
    public string GlueVersion { get; init; } = "5.0";

    /// <summary>Gets the worker type (<c>G.1X</c>, <c>G.2X</c>, …).</summary>
    /// <value>The default is <c>G.1X</c>.</value>
    public string WorkerType { get; init; } = "G.1X";

    /// <summary>Gets the number of workers.</summary>
    /// <value>The default is 2.</value>
    public int NumberOfWorkers { get; init; } = 2;

    /// <summary>Gets the job timeout in minutes.</summary>
    /// <value>The default is 60.</value>
    public int TimeoutMinutes { get; init; } = 60;

    /// <summary>Gets how many times a failed job run is retried.</summary>
    /// <value>The default is 1.</value>
    public int MaxRetries { get; init; } = 1;
}
