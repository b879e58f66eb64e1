namespace Ingest.Engine;

/// <summary>Options of a pipeline run that are not part of the dataset definition.</summary>
public sealed class IngestPipelineOptions
{
    /// <summary>Gets or sets how long the dataset lease lasts between renewals.</summary>
    /// <value>The default is 2 minutes; the run renews it every third of that.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many partition files may be open at once; the least recently used is closed beyond that.</summary>
    /// <value>The default is 64.</value>
    public int MaxOpenFiles { get; set; } = 64;

    /// <summary>Gets or sets how many rows pass between progress reports.</summary>
    /// <value>The default is 50,000.</value>
    public int ProgressInterval { get; set; } = 50_000;

    /// <summary>Returns one line per invalid option, naming it and its range; empty when all are valid.</summary>
    internal IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > TimeSpan.FromHours(12))
        {
            errors.Add($"IngestPipelineOptions.LeaseDuration {LeaseDuration} is out of range: expected between 1 second and 12 hours.");
        }

        if (MaxOpenFiles is < 1 or > 10_000)
        {
            errors.Add($"IngestPipelineOptions.MaxOpenFiles {MaxOpenFiles} is out of range: expected 1 to 10,000.");
        }

        if (ProgressInterval < 1)
        {
            errors.Add($"IngestPipelineOptions.ProgressInterval {ProgressInterval} is out of range: expected a positive number of rows.");
        }

        return errors;
    }

    internal IngestPipelineOptions Clone() => (IngestPipelineOptions)MemberwiseClone();
}

/// <summary>Options of one run, given to <see cref="IngestPipeline.RunAsync(IReadOnlyList{IngestInput}, IngestRunOptions, CancellationToken)"/>.</summary>
public sealed record IngestRunOptions
{
    /// <summary>Gets whether inputs already ingested (same SHA-256) are ingested again.</summary>
    /// <value>The default is <see langword="false"/>: such inputs are skipped and reported.</value>
    public bool Force { get; init; }
}

/// <summary>Progress of a run, reported every <see cref="IngestPipelineOptions.ProgressInterval"/> rows and at the end of each file.</summary>
/// <param name="CurrentInput">The input being read.</param>
/// <param name="RowsRead">Rows read so far.</param>
/// <param name="RowsWritten">Rows accepted so far.</param>
/// <param name="RowsRejected">Rows rejected so far.</param>
/// <param name="BytesRead">Input bytes read so far.</param>
/// <param name="TotalBytes">Total input bytes, when known.</param>
public sealed record IngestProgress(string CurrentInput, long RowsRead, long RowsWritten, long RowsRejected, long BytesRead, long? TotalBytes);
