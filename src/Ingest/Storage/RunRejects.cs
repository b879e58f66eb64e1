using System.Runtime.CompilerServices;
using Ingest.Engine.Reading;
using Ingest.Ledger;
using Parquet;
using Parquet.Schema;

namespace Ingest.Storage;

/// <summary>A row a run rejected, as the quarantine zone keeps it.</summary>
/// <param name="SourceFile">The input file the row came from.</param>
/// <param name="SourceLine">The 1-based line (or row number) of the row in its input.</param>
/// <param name="Reason">Why the row was rejected, with the column, the value and what was expected.</param>
/// <param name="RawRecord">The whole record when it could not be split into the expected columns.</param>
/// <param name="Values">The row's values as the source had them, by definition column (text; <see langword="null"/> when absent).</param>
public sealed record RejectedRow(string SourceFile, long SourceLine, string Reason, string? RawRecord, IReadOnlyDictionary<string, string?> Values);

/// <summary>
/// Reads the rows a run rejected: the published quarantine files of a succeeded run, or the rejects a failed run kept
/// apart (<see cref="RunRecord.RejectsKept"/>: a run over its reject budget publishes nothing, but its reasons stay readable).
/// </summary>
public static class RunRejects
{
    /// <summary>Gets the quarantine-zone keys that hold the run's rejected rows, in the order they were written.</summary>
    /// <param name="run">The run, as the ledger records it.</param>
    public static IReadOnlyList<string> KeysOf(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var published = LakeZone.Quarantine.Name + "/";
        return
        [
            .. run.FilesWritten.Where(f => f.StartsWith(published, StringComparison.Ordinal)).Select(f => f[published.Length..]),
            .. run.RejectsKept,
        ];
    }

    /// <summary>Reads the run's rejected rows, file by file, one row group at a time.</summary>
    /// <param name="lake">The lake the run wrote to.</param>
    /// <param name="run">The run, as the ledger records it.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    public static async IAsyncEnumerable<RejectedRow> ReadAsync(ILakeStorage lake, RunRecord run, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lake);
        foreach (var key in KeysOf(run))
        {
            var stream = await lake.OpenReadAsync(LakeZone.Quarantine, key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var reader = await ParquetReader.CreateAsync(stream, ParquetColumns.ReadOptions, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var fields = reader.Schema.GetDataFields();
                    for (var g = 0; g < reader.RowGroupCount; g++)
                    {
                        using var rowGroup = reader.OpenRowGroupReader(g);
                        var columns = new Dictionary<string, object?[]>(StringComparer.Ordinal);
                        foreach (var field in fields)
                        {
                            columns[field.Name] = await ParquetColumns.ReadAsync(rowGroup, field, cancellationToken).ConfigureAwait(false);
                        }

                        var values = fields.Where(f => !f.Name.StartsWith('_')).Select(f => f.Name).ToList();
                        for (var r = 0; r < rowGroup.RowCount; r++)
                        {
                            yield return new RejectedRow(
                                Text(columns, "_source_file", r) ?? string.Empty,
                                columns.TryGetValue("_source_line", out var lines) && lines[r] is long line ? line : 0,
                                Text(columns, "_reason", r) ?? string.Empty,
                                Text(columns, "_raw_record", r),
                                values.ToDictionary(name => name, name => Text(columns, name, r), StringComparer.Ordinal));
                        }
                    }
                }
            }
        }
    }

    private static string? Text(Dictionary<string, object?[]> columns, string name, int row)
        => columns.TryGetValue(name, out var values) ? values[row] as string : null;
}
