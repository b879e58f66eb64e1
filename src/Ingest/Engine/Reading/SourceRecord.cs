using Ingest.Engine.Conversion;

namespace Ingest.Engine.Reading;

/// <summary>
/// One record of a source, as text: the fields in the order of the reader's <see cref="ISourceReader.Header"/>.
/// Reused between records by the reader; consumers copy what they keep.
/// </summary>
internal sealed class SourceRecord
{
    private string?[] _fields;

    // Fields added as text spans (the CSV reader's common case) are kept as characters until a consumer asks
    // for a string: numbers, dates and timestamps are converted from the span and never become strings.
    private char[] _chars = [];
    private int _charCount;
    private int[] _spanStart;
    private int[] _spanLength; // -1: the field is in _fields
    private int _pending;
    private int _lineStart;

    // Fields added as typed values (a Parquet column's numbers, dates, timestamps, decimals) keep their
    // physical form; their text is made only if someone asks for it (a rejection, the quarantine).
    private TypedKind[] _typedKinds;
    private long[] _typedBits;
    private decimal[] _typedDecimals;
    private bool _hasTyped;

    public SourceRecord(int capacity)
    {
        var size = Math.Max(capacity, 1);
        _fields = new string?[size];
        _spanStart = new int[size];
        _spanLength = new int[size];
        _typedKinds = new TypedKind[size];
        _typedBits = new long[size];
        _typedDecimals = new decimal[size];
    }

    /// <summary>Gets the 1-based line (CSV, JSON Lines) or row number (Parquet) where the record starts.</summary>
    public long Line { get; set; }

    /// <summary>Gets the field values (as strings); entries at or beyond <see cref="FieldCount"/> are unused.</summary>
    public string?[] Fields
    {
        get
        {
            if (_pending > 0 || _hasTyped)
            {
                for (var i = 0; i < FieldCount; i++)
                {
                    GetField(i);
                }
            }

            return _fields;
        }
    }

    /// <summary>Gets the number of fields the record actually had (differs from the header's width for ragged rows).</summary>
    public int FieldCount { get; set; }

    /// <summary>Gets a reason the record could not be split into fields (invalid JSON, ragged row), if any.</summary>
    public string? Error { get; set; }

    /// <summary>Gets the record's raw text when it could not be split, for the quarantine.</summary>
    public string? RawText { get; set; }

    /// <summary>Gets the number of physical lines the record spans (more than one for quoted line breaks).</summary>
    public long LineCount { get; set; } = 1;

    public void Add(string? value)
    {
        Grow();
        _fields[FieldCount] = value;
        _spanLength[FieldCount] = -1;
        FieldCount++;
    }

    /// <summary>
    /// Adds a typed value in its physical form (<see cref="TypedKind"/>): whole numbers as themselves, doubles as
    /// their bits, dates as days, timestamps as microseconds since 1970 (UTC), booleans as 0 or 1. Its invariant
    /// text is made only if someone asks for it (<see cref="GetField"/>).
    /// </summary>
    public void AddTyped(TypedKind kind, long bits)
    {
        Grow();
        _fields[FieldCount] = null;
        _spanLength[FieldCount] = -1;
        _typedKinds[FieldCount] = kind;
        _typedBits[FieldCount] = bits;
        _hasTyped = true;
        FieldCount++;
    }

    /// <summary>Adds a typed decimal (see <see cref="AddTyped"/>).</summary>
    public void AddDecimal(decimal value)
    {
        Grow();
        _fields[FieldCount] = null;
        _spanLength[FieldCount] = -1;
        _typedKinds[FieldCount] = TypedKind.Decimal;
        _typedDecimals[FieldCount] = value;
        _hasTyped = true;
        FieldCount++;
    }

    /// <summary>Gets the typed value of field <paramref name="index"/>, when it was added by <see cref="AddTyped"/> or <see cref="AddDecimal"/>.</summary>
    public bool TryGetTyped(int index, out TypedKind kind, out long bits, out decimal number)
    {
        kind = _hasTyped ? _typedKinds[index] : TypedKind.None;
        (bits, number) = kind == TypedKind.None ? (0, 0m) : (_typedBits[index], _typedDecimals[index]);
        return kind != TypedKind.None;
    }

    /// <summary>Adds a field as characters; a string is made only if someone asks for it (<see cref="GetField"/>).</summary>
    public void AddSpan(ReadOnlySpan<char> value)
    {
        SetLine(value);
        AddLineField(0, value.Length);
    }

    /// <summary>
    /// Copies a whole line into the record in one go; its fields follow with <see cref="AddLineField"/>, as
    /// positions in the line (cheaper than copying each field on its own).
    /// </summary>
    public void SetLine(ReadOnlySpan<char> line)
    {
        if (_charCount + line.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + line.Length + 64));
        }

        line.CopyTo(_chars.AsSpan(_charCount));
        _lineStart = _charCount;
        _charCount += line.Length;
    }

    /// <summary>Adds the field at <paramref name="start"/> (from the start of the line of <see cref="SetLine"/>) of <paramref name="length"/> characters.</summary>
    public void AddLineField(int start, int length)
    {
        if (FieldCount == _fields.Length)
        {
            Grow();
        }

        // _fields[FieldCount] may hold a string of an earlier record: it is never read while the length is set.
        _spanStart[FieldCount] = _lineStart + start;
        _spanLength[FieldCount] = length;
        _pending++;
        FieldCount++;
    }

    /// <summary>Gets field <paramref name="index"/> as a string (made from its characters on first use).</summary>
    public string? GetField(int index)
    {
        if (_spanLength[index] >= 0)
        {
            _fields[index] = new string(_chars, _spanStart[index], _spanLength[index]);
            _spanLength[index] = -1;
            _pending--;
        }
        else if (_hasTyped && _typedKinds[index] != TypedKind.None && _fields[index] is null)
        {
            _fields[index] = TypedValues.Format(_typedKinds[index], _typedBits[index], _typedDecimals[index]);
        }

        return _fields[index];
    }

    /// <summary>Gets the characters the fields added by <see cref="AddSpan"/> point into (valid until <see cref="Reset"/>).</summary>
    public char[] Characters => _chars;

    /// <summary>Gets where the characters of field <paramref name="index"/> are in <see cref="Characters"/>, when it has not been made a string.</summary>
    public bool TryGetRange(int index, out int start, out int length)
    {
        (start, length) = (_spanStart[index], _spanLength[index]);
        return length >= 0;
    }

    /// <summary>Gets the characters of field <paramref name="index"/> when it has not been made a string (never null).</summary>
    public bool TryGetSpan(int index, out ReadOnlySpan<char> span)
    {
        var length = _spanLength[index];
        span = length >= 0 ? _chars.AsSpan(_spanStart[index], length) : default;
        return length >= 0;
    }

    private void Grow()
    {
        if (FieldCount == _fields.Length)
        {
            var size = _fields.Length * 2;
            Array.Resize(ref _fields, size);
            Array.Resize(ref _spanStart, size);
            Array.Resize(ref _spanLength, size);
            Array.Resize(ref _typedKinds, size);
            Array.Resize(ref _typedBits, size);
            Array.Resize(ref _typedDecimals, size);
        }
    }

    /// <summary>
    /// Gets the typed values of the first <see cref="PreparedCount"/> schema columns, converted ahead by the
    /// reading task (see <see cref="SourceReadAhead"/>); the rest are converted by the consumer.
    /// </summary>
    public object?[] Prepared { get; private set; } = [];

    /// <summary>Gets the physical values of the prepared columns whose <see cref="Prepared"/> slot is <see cref="Conversion.PhysicalValue.InBits"/>.</summary>
    public long[] PreparedBits { get; private set; } = [];

    /// <summary>Gets the number of schema columns already converted into <see cref="Prepared"/>.</summary>
    public int PreparedCount { get; private set; }

    /// <summary>Gets the schema column whose text could not be converted ahead (-1: none), with <see cref="PreparedProblem"/>.</summary>
    public int PreparedProblemColumn { get; private set; } = -1;

    /// <summary>Gets why the text of <see cref="PreparedProblemColumn"/> is not a value of its type.</summary>
    public string? PreparedProblem { get; private set; }

    public void Reset(long line)
    {
        if (_hasTyped)
        {
            Array.Clear(_typedKinds);
            _hasTyped = false;
        }

        Line = line;
        FieldCount = 0;
        _charCount = 0;
        _pending = 0;
        Error = null;
        RawText = null;
        LineCount = 1;
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
            PreparedBits = new long[columns];
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

    /// <summary>
    /// Gets the names of the columns the file has: its header, its fields, or (JSON Lines, where
    /// <see cref="FileColumnsKnownAtOpen"/> is false) the properties seen in its records so far.
    /// </summary>
    IReadOnlyCollection<string> FileColumns { get; }

    /// <summary>Gets whether <see cref="FileColumns"/> is complete after <see cref="OpenAsync"/>; else only once the last record is read.</summary>
    bool FileColumnsKnownAtOpen => true;

    /// <summary>Gets the number of input bytes consumed so far (for progress).</summary>
    long BytesRead { get; }

    /// <summary>Opens the input and reads the header, if any.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Reads the next record into <paramref name="record"/>; returns <see langword="false"/> at the end.</summary>
    ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken);
}
