namespace Ingest.Definitions.Inference;

/// <summary>Options of <see cref="DefinitionInference.InferAsync"/>: the dataset id, the format and how much of each file is read.</summary>
public sealed class DefinitionInferenceOptions
{
    /// <summary>Gets or sets the id of the drafted dataset.</summary>
    /// <value>The default is none: the id is made from the first file's name (<c>draft.</c><em>name</em>).</value>
    public DatasetId? Id { get; set; }

    /// <summary>Gets or sets the source format; <see langword="null"/> takes it from the file extension (<c>.csv</c>, <c>.tsv</c>, <c>.txt</c>, <c>.jsonl</c>, <c>.ndjson</c>, <c>.json</c>, <c>.parquet</c>).</summary>
    /// <value>The default is <see langword="null"/> (from the extension).</value>
    public SourceFormat? Format { get; set; }

    /// <summary>Gets or sets the number of records read per file at most.</summary>
    /// <value>The default is 10,000.</value>
    public int SampleRows { get; set; } = 10_000;

    /// <summary>Gets or sets the number of bytes read per text file at most (cut at the last whole line).</summary>
    /// <value>The default is 16 MiB. Parquet files are read by row groups, up to <see cref="SampleRows"/>.</value>
    public long SampleBytes { get; set; } = 16L << 20;

    /// <summary>Gets or sets whether every record of every file is read (<see cref="SampleRows"/> and <see cref="SampleBytes"/> are then ignored).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool WholeFile { get; set; }

    /// <summary>Gets or sets the time zone of timestamps without an offset, written to <c>source.timeZone</c>.</summary>
    /// <value>The default is <c>UTC</c>.</value>
    public string TimeZone { get; set; } = "UTC";

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SampleRows, 1, nameof(SampleRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(SampleBytes, 1024, nameof(SampleBytes));
        ArgumentException.ThrowIfNullOrWhiteSpace(TimeZone, nameof(TimeZone));
    }
}
