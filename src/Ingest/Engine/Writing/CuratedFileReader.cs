using Ingest.Definitions;
using Ingest.Engine.Reading;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Writing;

/// <summary>
/// Reads curated Parquet files back for rewriting (merge, compaction): columns by name, so files of earlier compatible
/// versions read too (an added column reads as null, a widened type is widened), and a Hive table's identity partition
/// values, which live in the folder names, from the partition path.
/// </summary>
internal static class CuratedFileReader
{
    /// <summary>The identity partitions: partition name → source column.</summary>
    public static Dictionary<string, string> IdentityColumns(DatasetDefinition definition)
        => definition.Partitioning.Where(p => p.Transform == PartitionTransform.Identity).ToDictionary(p => p.EffectiveName, p => p.Column!, StringComparer.Ordinal);

    /// <summary>Streams every row of a curated file in <paramref name="columns"/> order.</summary>
    public static async Task ReadRowsAsync(
        Storage.ILakeStorage lake,
        string key,
        DatasetDefinition definition,
        IReadOnlyList<ColumnDefinition> columns,
        string partitionPath,
        Func<object?[], ValueTask> row,
        CancellationToken cancellationToken)
    {
        var pathValues = PartitionValues(definition, partitionPath, IdentityColumns(definition));
        var stream = await lake.OpenReadAsync(Storage.LakeZone.Curated, key, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = await ParquetReader.CreateAsync(stream, ParquetColumns.ReadOptions, true, cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var data = new object?[columns.Count][];
                for (var c = 0; c < columns.Count; c++)
                {
                    data[c] = await ReadColumnAsync(rowGroup, fields, columns[c].Name, pathValues, columns[c].Type, cancellationToken).ConfigureAwait(false);
                }

                for (var r = 0; r < rowGroup.RowCount; r++)
                {
                    var values = new object?[columns.Count];
                    for (var c = 0; c < columns.Count; c++)
                    {
                        values[c] = data[c][r];
                    }

                    await row(values).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Reads one column of a row group by name: from the file, or the partition path's value, or nulls when the file predates it.</summary>
    public static async Task<object?[]> ReadColumnAsync(
        ParquetRowGroupReader rowGroup,
        Dictionary<string, DataField> fields,
        string name,
        Dictionary<string, object?> pathValues,
        ColumnType type,
        CancellationToken cancellationToken)
    {
        var rows = checked((int)rowGroup.RowCount);
        object?[] values;
        if (fields.TryGetValue(name, out var field))
        {
            values = await ParquetColumns.ReadAsync(rowGroup, field, cancellationToken).ConfigureAwait(false);
        }
        else if (pathValues.TryGetValue(name, out var constant))
        {
            values = new object?[rows];
            Array.Fill(values, constant);
        }
        else
        {
            return new object?[rows];
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Widen(values[i], type);
        }

        return values;
    }

    /// <summary>The identity partition values a partition path (<c>name=value/…/</c>) carries, by source column.</summary>
    public static Dictionary<string, object?> PartitionValues(DatasetDefinition definition, string partitionPath, Dictionary<string, string> identity)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var segment in partitionPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !identity.TryGetValue(segment[..eq], out var column))
            {
                continue;
            }

            var text = HivePartitionValue.Decode(segment[(eq + 1)..]);
            var type = definition.FindColumn(column)!.Type;
            values[column] = text == Partitioner.NullValue ? null : InvariantValues.TryParse(text, type, out var v) ? v : text;
        }

        return values;
    }

    private static object? Widen(object? value, ColumnType type) => (value, type.Kind) switch
    {
        (null, _) => null,
        (int i, ColumnKind.Int64) => (long)i,
        (float f, ColumnKind.Double) => (double)f,
        (DateTime t, ColumnKind.Timestamp) => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => value,
    };
}
