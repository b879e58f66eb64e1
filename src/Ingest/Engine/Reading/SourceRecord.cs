namespace Ingest.Engine.Reading;

/// <summary>
/// One record of a source, as text: the fields in the order of the reader's <see cref="ISourceReader.Header"/>.
/// Reused between records by the reader; consumers copy what they keep.
/// </summary>
internal sealed class SourceRecord
{
    public SourceRecord(int capacity) => Fields = new string?[Math.Max(capacity, 1)];

    /// <summary>Gets the 1-based line (CSV, JSON Lines) or row number (Parquet) where the record starts.</summary>
    public long Line { get; set; }

    /// <summary>Gets the field values; entries at or beyond <see cref="FieldCount"/> are unused.</summary>
    public string?[] Fields { get; private set; }

    /// <summary>Gets the number of fields the record actually had (differs from the header's width for ragged rows).</summary>
    public int FieldCount { get; set; }

    /// <summary>Gets a reason the record could not be split into fields (invalid JSON, ragged row), if any.</summary>
    public string? Error { get; set; }

    /// <summary>Gets the record's raw text when it could not be split, for the quarantine.</summary>
    public string? RawText { get; set; }

    public void Add(string? value)
    {
        if (FieldCount == Fields.Length)
        {
            var bigger = new string?[Fields.Length * 2];
            Array.Copy(Fields, bigger, Fields.Length);
            Fields = bigger;
        }

        Fields[FieldCount++] = value;
    }

    /// <summary>
    /// Gets the typed values of the first <see cref="PreparedCount"/> schema columns, converted ahead by the
    /// reading task (see <see cref="SourceReadAhead"/>); the rest are converted by the consumer.
    /// </summary>
    public object?[] Prepared { get; private set; } = [];

    /// <summary>Gets the number of schema columns already converted into <see cref="Prepared"/>.</summary>
    public int PreparedCount { get; private set; }

    /// <summary>Gets the schema column whose text could not be converted ahead (-1: none), with <see cref="PreparedProblem"/>.</summary>
    public int PreparedProblemColumn { get; private set; } = -1;

    /// <summary>Gets why the text of <see cref="PreparedProblemColumn"/> is not a value of its type.</summary>
    public string? PreparedProblem { get; private set; }

    public void Reset(long line)
    {
        Line = line;
        FieldCount = 0;
        Error = null;
        RawText = null;
        PreparedCount = 0;
        PreparedProblemColumn = -1;
        PreparedProblem = null;
    }

    /// <summary>Gets the array for <paramref name="columns"/> prepared values (reused from record to record).</summary>
    public object?[] PreparedValues(int columns)
    {
        if (Prepared.Length < columns)
        {
            Prepared = new object?[columns];
        }

        return Prepared;
    }

    /// <summary>Records that the first <paramref name="count"/> columns are converted, and the problem of the next one, if any.</summary>
    public void SetPrepared(int count, int problemColumn, string? problem)
    {
        PreparedCount = count;
        PreparedProblemColumn = problemColumn;
        PreparedProblem = problem;
    }
}

/// <summary>Reads records from one input.</summary>
internal interface ISourceReader : IAsyncDisposable
{
    /// <summary>Gets the source column names, in field order (available after <see cref="OpenAsync"/>).</summary>
    IReadOnlyList<string> Header { get; }

    /// <summary>Gets the number of input bytes consumed so far (for progress).</summary>
    long BytesRead { get; }

    /// <summary>Opens the input and reads the header, if any.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Reads the next record into <paramref name="record"/>; returns <see langword="false"/> at the end.</summary>
    ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken);
}
