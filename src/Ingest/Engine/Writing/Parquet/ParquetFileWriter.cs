using System.Reflection;
using Ingest.Definitions;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>
/// Writes one Parquet file to a stream: the magic, row groups of column chunks encoded by a
/// <see cref="ColumnChunkEncoder"/>, and the footer (Thrift compact <c>FileMetaData</c>) with the schema,
/// every chunk's offsets, sizes, encodings and statistics, and the column orders that make the statistics
/// usable for pruning. Flat schemas of optional columns only; nothing is buffered beyond one column chunk.
/// </summary>
internal sealed class ParquetFileWriter(Stream stream, IReadOnlyList<ParquetColumn> columns)
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();
    private static readonly string CreatedBy = $"Ingest version {typeof(ParquetFileWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0"}";

    private readonly List<RowGroupInfo> _rowGroups = [];
    private long _position;

    /// <summary>Gets the number of bytes written so far.</summary>
    public long Position => _position;

    /// <summary>
    /// Returns each column's statistics over every row group written so far, in column order: what a table
    /// format's manifest records per data file (Iceberg's column sizes, value and null counts, bounds).
    /// </summary>
    public IReadOnlyList<ParquetColumnStatistics> GetStatistics()
    {
        var result = new ParquetColumnStatistics[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            long compressed = 0, values = 0, nulls = 0;
            byte[]? min = null, max = null;
            var bounded = true;
            foreach (var group in _rowGroups)
            {
                var info = group.Chunks[c].Info;
                compressed += info.CompressedBytes;
                values += info.Values;
                nulls += info.NullCount;
                if (info.Min is null || info.Max is null)
                {
                    // A chunk with values but no statistics (long strings) leaves the file's bounds unknown.
                    bounded &= info.Values == info.NullCount;
                    continue;
                }

                min = min is null || ParquetStatistics.Compare(columns[c], info.Min, min) < 0 ? info.Min : min;
                max = max is null || ParquetStatistics.Compare(columns[c], info.Max, max) > 0 ? info.Max : max;
            }

            result[c] = new ParquetColumnStatistics(columns[c], compressed, values, nulls, bounded ? min : null, bounded ? max : null);
        }

        return result;
    }

    public async ValueTask WriteRowGroupAsync(ColumnBuffer[] buffers, int rows, RowGroupEncoder encoder, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var chunks = new (long Offset, ColumnChunkInfo Info)[columns.Count];
        var start = _position;
        var c = 0;
        await encoder.EncodeAsync(columns, buffers, async (info, bytes) =>
        {
            chunks[c++] = (_position, info);
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            _position += bytes.Length;
        }).ConfigureAwait(false);

        _rowGroups.Add(new RowGroupInfo(chunks, rows, start, _position - start));
    }

    /// <summary>Writes the footer (and the magic when no row group was written: a valid file of no rows).</summary>
    public async ValueTask CompleteAsync(ColumnChunkEncoder encoder, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var footer = encoder.Chunk;
        footer.Clear();
        WriteFileMetadata(new ThriftCompactWriter(footer), encoder.Codec);
        footer.WriteInt32LittleEndian(footer.Length);
        footer.Write(Magic);
        await stream.WriteAsync(footer.Memory, cancellationToken).ConfigureAwait(false);
        _position += footer.Length;
    }

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (_position == 0)
        {
            await stream.WriteAsync(Magic, cancellationToken).ConfigureAwait(false);
            _position = Magic.Length;
        }
    }

    private void WriteFileMetadata(ThriftCompactWriter t, int codec)
    {
        t.BeginStruct();
        t.FieldI32(1, 2); // version
        t.FieldListOfStructs(2, columns.Count + 1);
        t.BeginStruct();
        t.FieldString(4, "schema");
        t.FieldI32(5, columns.Count);
        t.EndStruct();
        foreach (var column in columns)
        {
            WriteSchemaElement(t, column);
        }

        t.FieldI64(3, _rowGroups.Sum(g => (long)g.Rows));
        t.FieldListOfStructs(4, _rowGroups.Count);
        foreach (var group in _rowGroups)
        {
            t.BeginStruct();
            t.FieldListOfStructs(1, group.Chunks.Length);
            for (var c = 0; c < group.Chunks.Length; c++)
            {
                var (offset, info) = group.Chunks[c];
                t.BeginStruct();
                t.FieldI64(2, offset);
                t.FieldStruct(3);
                WriteColumnMetadata(t, columns[c], offset, info, codec);
                t.EndStruct();
                t.EndStruct();
            }

            t.FieldI64(2, group.Chunks.Sum(c => c.Info.UncompressedBytes));
            t.FieldI64(3, group.Rows);
            t.FieldI64(5, group.Offset);
            t.FieldI64(6, group.CompressedBytes);
            t.EndStruct();
        }

        t.FieldString(6, CreatedBy);
        t.FieldListOfStructs(7, columns.Count);
        for (var c = 0; c < columns.Count; c++)
        {
            t.BeginStruct();
            t.FieldStruct(1); // TYPE_ORDER
            t.EndStruct();
            t.EndStruct();
        }

        t.EndStruct();
    }

    private static void WriteSchemaElement(ThriftCompactWriter t, ParquetColumn column)
    {
        t.BeginStruct();
        t.FieldI32(1, (int)column.Physical);
        if (column.Physical == PhysicalType.FixedLenByteArray)
        {
            t.FieldI32(2, column.TypeLength);
        }

        t.FieldI32(3, 1); // OPTIONAL
        t.FieldString(4, column.Name);

        // Thrift compact fields in ascending order: converted type (6-8), field id (9), logical type (10).
        switch (column.Type.Kind)
        {
            case ColumnKind.String:
                t.FieldI32(6, 0); // UTF8
                break;
            case ColumnKind.Decimal:
                t.FieldI32(6, 5); // DECIMAL
                t.FieldI32(7, column.Type.Scale);
                t.FieldI32(8, column.Type.Precision);
                break;
            case ColumnKind.Date:
                t.FieldI32(6, 6); // DATE
                break;
            case ColumnKind.Timestamp:
                t.FieldI32(6, 10); // TIMESTAMP_MICROS
                break;
        }

        if (column.FieldId is { } fieldId)
        {
            t.FieldI32(9, fieldId);
        }

        switch (column.Type.Kind)
        {
            case ColumnKind.String:
                t.FieldStruct(10);
                t.FieldStruct(1);
                t.EndStruct();
                t.EndStruct();
                break;
            case ColumnKind.Decimal:
                t.FieldStruct(10);
                t.FieldStruct(5);
                t.FieldI32(1, column.Type.Scale);
                t.FieldI32(2, column.Type.Precision);
                t.EndStruct();
                t.EndStruct();
                break;
            case ColumnKind.Date:
                t.FieldStruct(10);
                t.FieldStruct(6);
                t.EndStruct();
                t.EndStruct();
                break;
            case ColumnKind.Timestamp:
                t.FieldStruct(10);
                t.FieldStruct(8);
                t.FieldBool(1, true); // isAdjustedToUTC
                t.FieldStruct(2); // unit
                t.FieldStruct(2); // MICROS
                t.EndStruct();
                t.EndStruct();
                t.EndStruct();
                t.EndStruct();
                break;
        }

        t.EndStruct();
    }

    private static void WriteColumnMetadata(ThriftCompactWriter t, ParquetColumn column, long offset, ColumnChunkInfo info, int codec)
    {
        t.FieldI32(1, (int)column.Physical);
        t.FieldListOfI32(2, info.Encodings);
        t.FieldListOfStrings(3, [column.Name]);
        t.FieldI32(4, codec);
        t.FieldI64(5, info.Values);
        t.FieldI64(6, info.UncompressedBytes);
        t.FieldI64(7, info.CompressedBytes);
        t.FieldI64(9, offset + info.DataPageOffset);
        if (info.DictionaryPageOffset is { } dictionary)
        {
            t.FieldI64(11, offset + dictionary);
        }

        t.FieldStruct(12);
        t.FieldI64(3, info.NullCount);
        if (info.Max is { } max && info.Min is { } min)
        {
            t.FieldBinary(5, max);
            t.FieldBinary(6, min);
        }

        t.EndStruct();
    }

    private sealed record RowGroupInfo((long Offset, ColumnChunkInfo Info)[] Chunks, int Rows, long Offset, long CompressedBytes);
}
