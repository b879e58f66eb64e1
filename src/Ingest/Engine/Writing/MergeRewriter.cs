using Ingest.Definitions;
using Ingest.Engine.Reading;
using Ingest.Storage;
using Parquet;
using Parquet.Schema;

namespace Ingest.Engine.Writing;

/// <summary>
/// Plans the merge of a run into the curated zone: every existing file that holds a key the run wrote is
/// rewritten without those rows (into the run's staging area) and replaced at commit. Files written by
/// earlier compatible versions are read by column name; added columns become null and widened types are
/// widened. Lineage of the kept rows is preserved.
/// </summary>
internal sealed class MergeRewriter(ILakeStorage lake, DatasetDefinition definition, string stagingPrefix, string datasetPrefix, string runId, long memoryBudget)
{
    /// <summary>
    /// Rewrites the files that hold a key of the run. <paramref name="existing"/> are the live files (an Iceberg table's
    /// snapshot) under <paramref name="filesPrefix"/>; when <see langword="null"/>, every Parquet file listed under the
    /// dataset's prefix (a Hive table). With <paramref name="fieldIds"/> the new files are written in place with those
    /// Parquet field ids.
    /// </summary>
    public async Task<(IReadOnlyList<StagedFile> Files, IReadOnlyList<string> Replaced)> RewriteAsync(
        HashSet<string> keys,
        CancellationToken cancellationToken,
        IReadOnlyList<string>? existing = null,
        string? filesPrefix = null,
        IReadOnlyDictionary<string, int>? fieldIds = null)
    {
        var columns = DatasetLayout.CuratedFileColumns(definition);
        var keyColumns = definition.Keys.ToArray();
        var identity = CuratedFileReader.IdentityColumns(definition);
        var replaced = new List<string>();
        var prefix = filesPrefix ?? datasetPrefix;
        var writer = new StagedParquetWriter(lake, LakeZone.Curated, columns, stagingPrefix, prefix, runId, "merged", definition.Write, memoryBudget, 4, fieldIds, inPlace: fieldIds is not null);
        await using (writer.ConfigureAwait(false))
        {
            if (existing is null)
            {
                var listed = new List<string>();
                await foreach (var item in lake.ListAsync(LakeZone.Curated, datasetPrefix, cancellationToken).ConfigureAwait(false))
                {
                    if (item.Key.EndsWith(".parquet", StringComparison.Ordinal))
                    {
                        listed.Add(item.Key);
                    }
                }

                existing = listed;
            }

            foreach (var key in existing)
            {
                var partitionPath = key[prefix.Length..(key.LastIndexOf('/') + 1)];
                var pathValues = CuratedFileReader.PartitionValues(definition, partitionPath, identity);
                if (await RewriteFileAsync(key, partitionPath, pathValues, columns, keyColumns, keys, writer, cancellationToken).ConfigureAwait(false))
                {
                    replaced.Add(key);
                }
            }

            return (await writer.CompleteAsync(cancellationToken).ConfigureAwait(false), replaced);
        }
    }

    private async Task<bool> RewriteFileAsync(
        string key,
        string partitionPath,
        Dictionary<string, object?> pathValues,
        IReadOnlyList<ColumnDefinition> columns,
        string[] keyColumns,
        HashSet<string> keys,
        StagedParquetWriter writer,
        CancellationToken cancellationToken)
    {
        var stream = await lake.OpenReadAsync(LakeZone.Curated, key, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = await ParquetReader.CreateAsync(stream, ParquetColumns.ReadOptions, true, cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);

            // Pass 1: does any row of this file carry a key of the run?
            var matches = new List<bool[]>();
            var anyMatch = false;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var keyValues = new object?[keyColumns.Length][];
                for (var k = 0; k < keyColumns.Length; k++)
                {
                    keyValues[k] = await CuratedFileReader.ReadColumnAsync(rowGroup, fields, keyColumns[k], pathValues, definition.FindColumn(keyColumns[k])!.Type, cancellationToken).ConfigureAwait(false);
                }

                var rows = checked((int)rowGroup.RowCount);
                var match = new bool[rows];
                var builder = new System.Text.StringBuilder();
                for (var r = 0; r < rows; r++)
                {
                    builder.Clear();
                    for (var k = 0; k < keyColumns.Length; k++)
                    {
                        builder.Append(RowProcessor.KeyText(keyValues[k][r])).Append('\u001f');
                    }

                    match[r] = keys.Contains(builder.ToString());
                    anyMatch |= match[r];
                }

                matches.Add(match);
            }

            if (!anyMatch)
            {
                return false;
            }

            // Pass 2: copy the other rows into a new file of the same partition.
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var data = new object?[columns.Count][];
                for (var c = 0; c < columns.Count; c++)
                {
                    data[c] = await CuratedFileReader.ReadColumnAsync(rowGroup, fields, columns[c].Name, pathValues, columns[c].Type, cancellationToken).ConfigureAwait(false);
                }

                var match = matches[g];
                for (var r = 0; r < match.Length; r++)
                {
                    if (match[r])
                    {
                        continue;
                    }

                    var row = new object?[columns.Count];
                    for (var c = 0; c < columns.Count; c++)
                    {
                        row[c] = data[c][r];
                    }

                    await writer.AddAsync(partitionPath, row, cancellationToken).ConfigureAwait(false);
                }
            }

            return true;
        }
    }
}
