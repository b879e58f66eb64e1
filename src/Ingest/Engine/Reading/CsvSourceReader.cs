using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Ingest.Definitions;

namespace Ingest.Engine.Reading;

/// <summary>
/// An RFC 4180 reader: quoted fields with embedded delimiters, quotes (doubled) and line breaks; CRLF, LF or
/// CR line ends; a byte order mark picks the encoding. Tracks the physical line each record starts at.
/// Blank lines are skipped. Invalid bytes for the encoding fail the file with the line they are on.
/// </summary>
internal sealed class CsvSourceReader : ISourceReader
{
    private const int BufferSize = 1 << 16;
    private readonly string _inputName;
    private readonly SourceDefinition _source;
    private readonly IReadOnlyList<string> _schemaSourceColumns;
    private readonly Func<CancellationToken, Task<Stream>> _open;
    private readonly char _delimiter;
    private readonly char _quote;
    private readonly char[] _buffer = new char[BufferSize];
    private readonly StringBuilder _field = new();
    private CountingStream? _stream;
    private StreamReader? _reader;
    private int _pos;
    private int _len;
    private bool _eof;
    private long _line = 1;
    private bool _crPending;
    private bool _encodingChecked;

    public CsvSourceReader(string inputName, SourceDefinition source, IReadOnlyList<string> schemaSourceColumns, Func<CancellationToken, Task<Stream>> open)
    {
        _inputName = inputName;
        _source = source;
        _schemaSourceColumns = schemaSourceColumns;
        _open = open;
        _delimiter = DefinitionValidator.UnescapeChar(source.Csv.Delimiter) ?? ',';
        _quote = DefinitionValidator.UnescapeChar(source.Csv.Quote) ?? '"';
        Header = [];
    }

    public IReadOnlyList<string> Header { get; private set; }

    public IReadOnlyCollection<string> FileColumns => Header;

    public long BytesRead => _stream?.BytesRead ?? 0;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        (_stream, _reader) = await TextInput.OpenAsync(_open, _source.Encoding, cancellationToken).ConfigureAwait(false);
        if (_source.Csv.Header)
        {
            var header = new SourceRecord(_schemaSourceColumns.Count);
            if (!await ReadAsync(header, cancellationToken).ConfigureAwait(false))
            {
                throw new DataValidationException($"{_inputName}: the file is empty but the definition expects a header line.") { Location = _inputName, Line = 1 };
            }

            var names = new string[header.FieldCount];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = (header.Fields[i] ?? string.Empty).Trim();
            }

            if (_source.Csv.Columns.Count == 0)
            {
                ThrowIfDuplicate(names);
            }

            Header = _source.Csv.Columns.Count > 0 ? _source.Csv.Columns : names;
            if (_source.Csv.Columns.Count > 0 && names.Length != _source.Csv.Columns.Count)
            {
                throw new DataValidationException(
                    $"{_inputName} line 1: the header has {names.Length} columns but source.csv.columns lists {_source.Csv.Columns.Count}.")
                { Location = _inputName, Line = 1 };
            }
        }
        else
        {
            Header = _source.Csv.Columns.Count > 0 ? _source.Csv.Columns : _schemaSourceColumns;
        }
    }

    public async ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        while (true)
        {
            record.Reset(_line);
            if (_pos >= _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            // Skip blank lines.
            var c = _buffer[_pos];
            if (c is '\r' or '\n')
            {
                await ConsumeLineEndAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!TrySplitLine(record))
            {
                await ReadFieldsAsync(record, cancellationToken).ConfigureAwait(false);
                record.LineCount = Math.Max(record.LineCount, _line - record.Line);
            }

            if (!_encodingChecked)
            {
                // The first record (the header, if any) tells a UTF-16 file without a byte order mark by its NULs.
                _encodingChecked = true;
                for (var i = 0; i < record.FieldCount; i++)
                {
                    TextInput.ThrowIfUtf16(_inputName, _source.Encoding, record.GetField(i), record.Line);
                }
            }

            return true;
        }
    }

    /// <summary>
    /// The common case without the per-field state machine: a record on one line, complete in the buffer,
    /// without quotes, is split at the delimiters in one pass. Anything else (a quote, a line end at the end
    /// of the buffer, the end of the file) returns <see langword="false"/> with nothing consumed, and the
    /// general reader takes the record.
    /// </summary>
    private bool TrySplitLine(SourceRecord record)
    {
        var span = _buffer.AsSpan(_pos, _len - _pos);
        var end = span.IndexOfAny('\r', '\n');
        if (end < 0 || _crPending || (span[end] == '\r' && end + 1 == span.Length))
        {
            return false;
        }

        var line = span[..end];
        if (!SplitUnquoted(line, record))
        {
            record.Reset(_line);
            return false;
        }

        _pos += end + (span[end] == '\r' && span[end + 1] == '\n' ? 2 : 1);
        _line++;
        return true;
    }

    /// <summary>
    /// Splits a line at the delimiters in one pass, 16 characters at a time where the hardware allows: a mask
    /// of the delimiters' positions per block, walked bit by bit. Returns <see langword="false"/> at the first
    /// quote (the general reader then takes the line).
    /// </summary>
    private bool SplitUnquoted(ReadOnlySpan<char> line, SourceRecord record)
    {
        record.SetLine(line);
        var fieldStart = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && line.Length >= Vector256<ushort>.Count)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(line));
            var delimiters = Vector256.Create((ushort)_delimiter);
            var quotes = Vector256.Create((ushort)_quote);
            for (; i <= line.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref first, (nuint)i);
                if (Vector256.EqualsAny(block, quotes))
                {
                    return false;
                }

                var mask = Vector256.Equals(block, delimiters).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var at = i + BitOperations.TrailingZeroCount(mask);
                    record.AddLineField(fieldStart, at - fieldStart);
                    fieldStart = at + 1;
                    mask &= mask - 1;
                }
            }
        }

        for (; i < line.Length; i++)
        {
            var c = line[i];
            if (c == _delimiter)
            {
                record.AddLineField(fieldStart, i - fieldStart);
                fieldStart = i + 1;
            }
            else if (c == _quote)
            {
                return false;
            }
        }

        record.AddLineField(fieldStart, line.Length - fieldStart);
        return true;
    }

    private async ValueTask ReadFieldsAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        while (true)
        {
            bool endOfRecord;
            if (_pos < _len && _buffer[_pos] == _quote)
            {
                _pos++;
                endOfRecord = await ReadQuotedFieldAsync(record, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                endOfRecord = await ReadPlainFieldAsync(record, cancellationToken).ConfigureAwait(false);
            }

            if (endOfRecord)
            {
                return;
            }
        }
    }

    /// <summary>Reads an unquoted field; returns whether the record ended after it.</summary>
    private async ValueTask<bool> ReadPlainFieldAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        _field.Clear();
        var useBuilder = false;
        while (true)
        {
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var stop = span.IndexOfAny(_delimiter, '\r', '\n');
            if (stop >= 0)
            {
                var value = useBuilder ? _field.Append(span[..stop]).ToString() : new string(span[..stop]);
                record.Add(value);
                _pos += stop;
                var c = _buffer[_pos];
                if (c == _delimiter)
                {
                    _pos++;
                    if (_pos >= _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    {
                        record.Add(string.Empty); // a trailing delimiter at end of file ends with an empty field
                        return true;
                    }

                    return false;
                }

                await ConsumeLineEndAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            _field.Append(span);
            useBuilder = true;
            _pos = _len;
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                record.Add(_field.ToString());
                return true;
            }
        }
    }

    /// <summary>Reads a quoted field after its opening quote; returns whether the record ended after it.</summary>
    private async ValueTask<bool> ReadQuotedFieldAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        _field.Clear();
        var startLine = _line;
        while (true)
        {
            if (_pos >= _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                record.Add(_field.ToString());
                NeverClosed(record, startLine);
                return true;
            }

            var span = _buffer.AsSpan(_pos, _len - _pos);
            var q = span.IndexOf(_quote);
            var chunk = q >= 0 ? span[..q] : span;
            CountLineBreaks(chunk);
            _field.Append(chunk);
            if (_line - startLine >= _source.Csv.MaxQuotedFieldLines)
            {
                throw new DataValidationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{_inputName} line {startLine}: the quoted field {record.FieldCount + 1} opened on this line is still open {_line - startLine} lines later, at line {_line} (source.csv.maxQuotedFieldLines is {_source.Csv.MaxQuotedFieldLines}); close the quote in the file, or raise the limit if a field really spans that many lines. Nothing was written."))
                { Location = _inputName, Line = startLine };
            }
            if (q < 0)
            {
                _pos = _len;
                continue;
            }

            _pos += q + 1;
            if (_pos >= _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                record.Add(_field.ToString());
                return true;
            }

            var next = _buffer[_pos];
            if (next == _quote)
            {
                _field.Append(_quote);
                _pos++;
                continue;
            }

            record.Add(_field.ToString());
            if (next == _delimiter)
            {
                _pos++;
                if (_pos >= _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    record.Add(string.Empty);
                    return true;
                }

                return false;
            }

            if (next is '\r' or '\n')
            {
                await ConsumeLineEndAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            // Text after a closing quote: keep the record (for the quarantine) but mark it.
            record.Error ??= string.Create(CultureInfo.InvariantCulture, $"unexpected text after the closing quote of field {record.FieldCount}");
            return false;
        }
    }

    /// <summary>Marks a record whose quoted field the end of the file left open, with the lines it took in (counted against the reject budget).</summary>
    private void NeverClosed(SourceRecord record, long startLine)
    {
        var last = _field.Length > 0 ? _field[^1] : '\0';
        var endLine = last is '\n' or '\r' ? _line - 1 : _line;
        record.LineCount = Math.Max(1, endLine - record.Line + 1);
        record.Error ??= record.LineCount == 1
            ? string.Create(CultureInfo.InvariantCulture, $"a quoted field opened on line {startLine} is never closed")
            : string.Create(CultureInfo.InvariantCulture, $"a quoted field opened on line {startLine} is never closed: the record absorbed {record.LineCount} lines ({record.Line} to {endLine}), each counted as a rejected row against quality.maxRejectRatio");
    }

    private void ThrowIfDuplicate(string[] names)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length > 0 && !first.TryAdd(names[i], i))
            {
                throw new DataValidationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{_inputName} line 1: the header names '{names[i]}' twice, in columns {first[names[i]] + 1} and {i + 1}, so it is not clear which one the definition means; rename one in the file, or map the columns by position with source.csv.columns. Nothing was written."))
                { Location = _inputName, Line = 1, Column = names[i] };
            }
        }
    }

    private void CountLineBreaks(ReadOnlySpan<char> chunk)
    {
        // LF ends a line; so does a CR that is not followed by LF (old Mac files). A CR that ends the buffer is
        // decided by the first character of the next chunk, so a CRLF split by the buffer boundary counts once.
        if (_crPending)
        {
            _crPending = false;
            if (chunk.Length == 0 || chunk[0] != '\n')
            {
                _line++;
            }
        }

        for (var i = 0; i < chunk.Length; i++)
        {
            var ch = chunk[i];
            if (ch == '\n')
            {
                _line++;
            }
            else if (ch == '\r')
            {
                if (i + 1 < chunk.Length)
                {
                    if (chunk[i + 1] != '\n')
                    {
                        _line++;
                    }
                }
                else if (_pos + chunk.Length >= _len)
                {
                    _crPending = true;
                }
                else if (_buffer[_pos + chunk.Length] != '\n')
                {
                    _line++;
                }
            }
        }
    }

    private async ValueTask ConsumeLineEndAsync(CancellationToken cancellationToken)
    {
        var c = _buffer[_pos++];
        _line++;
        if (c == '\r')
        {
            if (_pos >= _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (_buffer[_pos] == '\n')
            {
                _pos++;
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }

        try
        {
            _len = await _reader!.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        catch (DecoderFallbackException ex)
        {
            var (line, offset) = await EncodingErrors.LocateAsync(_open, _reader!.CurrentEncoding, cancellationToken).ConfigureAwait(false);
            throw EncodingErrors.Create(_inputName, _source.Encoding, line, offset, ex);
        }

        _pos = 0;
        if (_len == 0)
        {
            _eof = true;
            return false;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
