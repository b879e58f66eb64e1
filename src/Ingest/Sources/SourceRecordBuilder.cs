using Ingest.Engine.Reading;

namespace Ingest.Sources;

/// <summary>The record an <see cref="ISourceReader"/> fills: its position, its fields as text, and its raw text. Reused from record to record.</summary>
public sealed class SourceRecordBuilder
{
    private SourceRecord _record = new(1);

    /// <summary>Creates an empty record (the engine makes its own; tests of a reader may).</summary>
    public SourceRecordBuilder()
    {
    }

    /// <summary>Gets or sets the 1-based line (or record number) where the record starts; required, and larger than the previous record's.</summary>
    public long Position
    {
        get => _record.Line;
        set => _record.Line = value;
    }

    /// <summary>Gets the number of fields added.</summary>
    public int FieldCount => _record.FieldCount;

    /// <summary>Gets or sets the record's text as it stands in the input, kept in the quarantine when the record is rejected with <see cref="Reject"/>.</summary>
    public string? RawText
    {
        get => _record.RawText;
        set => _record.RawText = value;
    }

    /// <summary>Gets the reason given to <see cref="Reject"/>, if any.</summary>
    public string? RejectReason => _record.Error;

    /// <summary>Gets field <paramref name="index"/> as added.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="FieldCount"/>.</exception>
    public string? this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, FieldCount);
            return _record.GetField(index);
        }
    }

    /// <summary>Empties the record for the next read (what the engine does before each <see cref="ISourceReader.ReadAsync"/>).</summary>
    public void Clear() => _record.Reset(0);

    /// <summary>Adds the next field; <see langword="null"/> is a missing value.</summary>
    public void Add(string? value) => _record.Add(value);

    /// <summary>Adds the next field from characters (copied; a string is made only when one is needed).</summary>
    public void Add(ReadOnlySpan<char> value) => _record.AddSpan(value);

    /// <summary>
    /// Rejects the record: it cannot be split into fields. It goes to the quarantine with <paramref name="reason"/> and its
    /// <see cref="RawText"/> (required), and the run goes on.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reason"/> or <paramref name="rawText"/> is empty.</exception>
    public void Reject(string reason, string rawText)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentNullException.ThrowIfNull(rawText);
        _record.Error = reason;
        _record.RawText = rawText;
    }

    /// <summary>Points the builder at the engine's record for the next read.</summary>
    internal void Bind(SourceRecord record)
    {
        record.Reset(0);
        _record = record;
    }
}
