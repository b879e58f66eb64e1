namespace Ingest.Engine;

/// <summary>Options of a pipeline run that are not part of the dataset definition.</summary>
public sealed class IngestPipelineOptions
{
    /// <summary>Gets or sets whether inputs already ingested (same SHA-256) are ingested again.</summary>
    /// <value>The default is <see langword="false"/>: such inputs are skipped and reported.</value>
    public bool Force { get; set; }

    /// <summary>Gets or sets how long the dataset lease lasts between renewals.</summary>
    /// <value>The default is 2 minutes; the run renews it every third of that.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many partition files may be open at once; the least recently used is closed beyond that.</summary>
    /// <value>The default is 64.</value>
    public int MaxOpenFiles { get; set; } = 64;

    /// <summary>Gets or sets how many rows pass between progress reports.</summary>
    /// <value>The default is 50,000.</value>
    public int ProgressInterval { get; set; } = 50_000;

    /// <summary>Gets or sets the number of rows converted per batch between pipeline stages.</summary>
    /// <value>The default is 4,096.</value>
    public int BatchSize { get; set; } = 4096;

    internal void Validate()
    {
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > TimeSpan.FromHours(12))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "IngestPipelineOptions.LeaseDuration must be between 1 second and 12 hours.");
        }

        if (MaxOpenFiles is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOpenFiles), MaxOpenFiles, "IngestPipelineOptions.MaxOpenFiles must be between 1 and 10,000.");
        }

        if (ProgressInterval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, "IngestPipelineOptions.ProgressInterval must be positive.");
        }

        if (BatchSize is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "IngestPipelineOptions.BatchSize must be between 1 and 1,000,000.");
        }
    }

    internal IngestPipelineOptions Clone() => (IngestPipelineOptions)MemberwiseClone();
}

/// <summary>Progress of a run, reported every <see cref="IngestPipelineOptions.ProgressInterval"/> rows and at the end of each file.</summary>
/// <param name="CurrentInput">The input being read.</param>
/// <param name="RowsRead">Rows read so far.</param>
/// <param name="RowsWritten">Rows accepted so far.</param>
/// <param name="RowsRejected">Rows rejected so far.</param>
/// <param name="BytesRead">Input bytes read so far.</param>
/// <param name="TotalBytes">Total input bytes, when known.</param>
public sealed record IngestProgress(string CurrentInput, long RowsRead, long RowsWritten, long RowsRejected, long BytesRead, long? TotalBytes);
