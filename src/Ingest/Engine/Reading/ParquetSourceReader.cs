using Ingest.Definitions;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Reading;

/// <summary>
/// Reads a Parquet input one row group at a time (memory bounded by the largest row group), only the
/// definition's columns, each as a typed column chunk, and hands each value on in its physical form with its
/// source type (ADR 0015): numbers, booleans, dates, timestamps and decimals typed, strings as the reader's
/// strings, other types in their invariant text. Top-level primitive columns only.
/// </summary>
internal sealed class ParquetSourceReader(
    string inputName,
    IReadOnlyList<string> schemaSourceColumns,
    Func<CancellationToken, Task<Stream>> open) : ISourceReader
{
    private Stream? _stream;
    private ParquetReader? _reader;
    private DataField?[] _fields = [];
    private ParquetTypedColumn?[] _columns = [];
    private int _rowGroup = -1;
    private int _rowInGroup;
    private int _rowsInGroup;
    private long _row;

    public IReadOnlyList<string> Header => schemaSourceColumns;

    public IReadOnlyCollection<string> FileColumns { get; private set; } = [];

    public long BytesRead { get; private set; }

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        _stream = await open(cancellationToken).ConfigureAwait(false);
        if (!_stream.CanSeek)
        {
            var copy = new MemoryStream();
            await _stream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            copy.Position = 0;
            _stream = copy;
        }

        try
        {
            _reader = await ParquetReader.CreateAsync(_stream, ParquetColumns.ReadOptions, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException)
        {
            throw new DataValidationException($"{inputName}: not a readable Parquet file ({ex.Message}).", ex) { Location = inputName };
        }

        var byName = _reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        FileColumns = [.. _reader.Schema.GetDataFields().Select(f => f.Name)];
        _fields = [.. schemaSourceColumns.Select(name => byName.GetValueOrDefault(name))];
        _columns = [.. _fields.Select(f => f is null ? null : ParquetTypedColumn.For(f))];
    }

    public async ValueTask<bool> ReadAsync(SourceRecord record, CancellationToken cancellationToken)
    {
        while (_rowInGroup >= _rowsInGroup)
        {
            if (_rowGroup + 1 >= _reader!.RowGroupCount)
            {
                return false;
            }

            _rowGroup++;
            using var rowGroup = _reader.OpenRowGroupReader(_rowGroup);
            _rowsInGroup = checked((int)rowGroup.RowCount);
            _rowInGroup = 0;
            foreach (var column in _columns)
            {
                if (column is not null)
                {
                    await column.LoadAsync(rowGroup, _rowsInGroup, cancellationToken).ConfigureAwait(false);
                }
            }

            BytesRead = _stream!.CanSeek ? Math.Min(_stream.Length, BytesRead + (_stream.Length / Math.Max(1, _reader.RowGroupCount))) : BytesRead;
        }

        _row++;
        record.Reset(_row);
        for (var i = 0; i < _columns.Length; i++)
        {
            if (_columns[i] is { } column)
            {
                column.AddTo(record, _rowInGroup);
            }
            else
            {
                record.Add(null);
            }
        }

        _rowInGroup++;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }

        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
