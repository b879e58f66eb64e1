using Ingest.Definitions;
using Parquet;
using Parquet.Schema;

namespace Ingest.Database.Extraction;

/// <summary>
/// Writes the extract: a Parquet file with one OPTIONAL field per source column, typed by the schema column it feeds, and the
/// extraction (connection, SQL, parameters, window) in the file's key-value metadata, so the raw zone alone can replay the run.
/// Memory is bounded by one row group.
/// </summary>
internal sealed class RawExtractWriter : IAsyncDisposable
{
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly ColumnType[] _types;
    private readonly Array[] _columns;
    private int _count;

    private RawExtractWriter(ParquetWriter writer, DataField[] fields, ColumnType[] types, int rowGroupRows)
    {
        _writer = writer;
        _fields = fields;
        _types = types;
        _columns = [.. types.Select(t => Array.CreateInstance(ExtractBatch.StorageType(t), rowGroupRows))];
    }

    public long Rows { get; private set; }

    public static async Task<RawExtractWriter> CreateAsync(Stream destination, IReadOnlyList<(string Name, ColumnType Type)> fields, int rowGroupRows, CancellationToken cancellationToken)
    {
        var dataFields = fields.Select(f => Field(f.Name, f.Type)).ToArray();
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, UseDateOnlyTypeForDates = true };
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(dataFields), destination, options, false, cancellationToken).ConfigureAwait(false);
        return new RawExtractWriter(writer, dataFields, [.. fields.Select(f => f.Type)], rowGroupRows);
    }

    /// <summary>Adds a block of rows by column (the arrays are of the same types as this writer's), flushing each full row group.</summary>
    public async ValueTask AddAsync(ExtractBatch batch, CancellationToken cancellationToken)
    {
        var done = 0;
        while (done < batch.Count)
        {
            var take = Math.Min(batch.Count - done, _columns[0].Length - _count);
            for (var i = 0; i < _columns.Length; i++)
            {
                Array.Copy(batch.Columns[i], done, _columns[i], _count, take);
            }

            done += take;
            _count += take;
            Rows += take;
            if (_count == _columns[0].Length)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the last row group and the metadata; the footer is written on dispose.</summary>
    public async Task CompleteAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _writer.CustomMetadata = metadata.ToDictionary(StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync().ConfigureAwait(false);

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            return;
        }

        using var rowGroup = _writer.CreateRowGroup();
        for (var i = 0; i < _fields.Length; i++)
        {
            await WriteColumnAsync(rowGroup, _fields[i], _types[i], _columns[i], _count, cancellationToken).ConfigureAwait(false);
            Array.Clear(_columns[i], 0, _count);
        }

        _count = 0;
    }

    private static Task WriteColumnAsync(ParquetRowGroupWriter rowGroup, DataField field, ColumnType type, Array values, int count, CancellationToken cancellationToken)
        => type.Kind switch
        {
            ColumnKind.String => rowGroup.WriteAsync(field, ((string?[])values).Take(count).ToList(), null),
            ColumnKind.Boolean => Typed<bool>(rowGroup, field, values, count, cancellationToken),
            ColumnKind.Int32 => Typed<int>(rowGroup, field, values, count, cancellationToken),
            ColumnKind.Int64 => Typed<long>(rowGroup, field, values, count, cancellationToken),
            ColumnKind.Float => Typed<float>(rowGroup, field, values, count, cancellationToken),
            ColumnKind.Double => Typed<double>(rowGroup, field, values, count, cancellationToken),
            ColumnKind.Decimal => Typed<decimal>(rowGroup, field, values, count, cancellationToken),
            ColumnKind.Date => Typed<DateOnly>(rowGroup, field, values, count, cancellationToken),
            _ => Typed<DateTime>(rowGroup, field, values, count, cancellationToken),
        };

    private static Task Typed<T>(ParquetRowGroupWriter rowGroup, DataField field, Array values, int count, CancellationToken cancellationToken)
        where T : struct
        => rowGroup.WriteAsync(field, new ReadOnlyMemory<T?>((T?[])values, 0, count), null, null, cancellationToken);

    private static DataField Field(string name, ColumnType type) => type.Kind switch
    {
        ColumnKind.String => new DataField<string>(name, nullable: true),
        ColumnKind.Boolean => new DataField<bool?>(name),
        ColumnKind.Int32 => new DataField<int?>(name),
        ColumnKind.Int64 => new DataField<long?>(name),
        ColumnKind.Float => new DataField<float?>(name),
        ColumnKind.Double => new DataField<double?>(name),
        ColumnKind.Decimal => new DecimalDataField(name, type.Precision, type.Scale, isNullable: true),
        ColumnKind.Date => new DataField<DateOnly?>(name),
        _ => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
    };
}
