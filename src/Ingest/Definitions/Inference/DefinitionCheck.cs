using System.Globalization;
using Ingest.Engine;
using Ingest.Engine.Reading;

namespace Ingest.Definitions.Inference;

/// <summary>Options of <see cref="DefinitionCheck.CheckAsync"/>.</summary>
public sealed class DefinitionCheckOptions
{
    /// <summary>Gets or sets how many rejected rows are described (the rest are only counted).</summary>
    /// <value>The default is 10.</value>
    public int MaxRejectExamples { get; set; } = 10;

    /// <summary>Gets or sets the number of records read at most; <see langword="null"/> reads the whole input.</summary>
    /// <value>The default is <see langword="null"/> (the whole input).</value>
    public long? MaxRecords { get; set; }
}

/// <summary>Where a definition's column is found in a file.</summary>
/// <param name="Column">The definition's column name.</param>
/// <param name="SourceColumn">The name it is looked up by (its <c>sourceColumn</c>, or its name).</param>
/// <param name="Position">The 1-based field position in the file (CSV) or <c>0</c> when the file has it by name (JSON Lines, Parquet); <see langword="null"/> when the file lacks it.</param>
/// <param name="Optional">Whether the column may be missing (<c>optional</c>).</param>
public sealed record ColumnMatch(string Column, string SourceColumn, int? Position, bool Optional);

/// <summary>What <see cref="DefinitionCheck.CheckAsync"/> found: the header mapping, the rows a run would reject and why, and the file's columns nothing reads.</summary>
public sealed record DefinitionCheckResult
{
    /// <summary>Gets the input's name.</summary>
    public required string Input { get; init; }

    /// <summary>Gets where each column of the definition is in the file.</summary>
    public required IReadOnlyList<ColumnMatch> Columns { get; init; }

    /// <summary>Gets the file's columns that no column of the definition reads (their values would not reach the lake).</summary>
    public required IReadOnlyList<string> IgnoredFileColumns { get; init; }

    /// <summary>Gets the error that fails the whole file in a run (a missing column, a duplicate header, invalid bytes), if any.</summary>
    public string? FileError { get; init; }

    /// <summary>Gets the number of records read.</summary>
    public long RecordsRead { get; init; }

    /// <summary>Gets the number of records a run would reject.</summary>
    public long RecordsRejected { get; init; }

    /// <summary>Gets the first rejects, each one line: file, line, column, value, reason and the definition member that would accept it.</summary>
    public required IReadOnlyList<string> Rejects { get; init; }

    /// <summary>Gets the number of rejects per reason (without row detail), most frequent first.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> RejectReasons { get; init; }

    /// <summary>Gets whether the records read stopped at <see cref="DefinitionCheckOptions.MaxRecords"/> before the end of the input.</summary>
    public bool Truncated { get; init; }

    /// <summary>Gets whether a run would take every record read: no file error and no reject.</summary>
    public bool IsClean => FileError is null && RecordsRejected == 0;
}

/// <summary>
/// Checks a definition against a data file without ingesting anything: the file is read by the engine's own readers and
/// every record goes through the same conversion, rules and partitioning as in a run, so what the check accepts is exactly
/// what a run accepts. Nothing is written.
/// </summary>
public static class DefinitionCheck
{
    /// <summary>Reads <paramref name="input"/> as <paramref name="definition"/> says and reports what a run would do with it.</summary>
    /// <remarks>Uniqueness rules and merge keys are checked within the input only; a run checks them across all its inputs.</remarks>
    public static async Task<DefinitionCheckResult> CheckAsync(DatasetDefinition definition, IngestInput input, DefinitionCheckOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(input);
        options ??= new DefinitionCheckOptions();
        if (definition.Source.Format == SourceFormat.Database)
        {
            throw new ArgumentException($"Dataset {definition.Id} reads a database, not files: there is no file to check it against.", nameof(definition));
        }

        var sourceColumns = definition.Columns.Select(c => c.EffectiveSourceColumn).ToList();
        var reader = BuiltInReaders.Create(input.Name, definition.Source, sourceColumns, input.OpenAsync)
            ?? throw new ArgumentException($"Dataset {definition.Id} reads the custom format {definition.Source.Format}: the check reads the built-in file formats only (csv, json-lines, parquet).", nameof(definition));

        var rows = new RowProcessor(definition, "check", DateTime.UnixEpoch, DateOnly.FromDateTime(DateTime.UnixEpoch), []);
        var rejects = new List<string>();
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        long read = 0, rejected = 0;
        string? fileError = null;
        var truncated = false;
        IReadOnlyCollection<string> fileColumns = [];
        IReadOnlyList<string> header = [];
        await using (reader.ConfigureAwait(false))
        {
            try
            {
                await reader.OpenAsync(cancellationToken).ConfigureAwait(false);
                header = reader.Header;
                ColumnMapping? mapping = null;
                try
                {
                    mapping = rows.MapColumns(input.Name, reader, definition.Source.Format == SourceFormat.Csv);
                }
                catch (DataValidationException ex)
                {
                    fileError = ex.Message;
                }

                if (mapping is not null)
                {
                    var record = new SourceRecord(sourceColumns.Count);
                    while (await reader.ReadAsync(record, cancellationToken).ConfigureAwait(false))
                    {
                        if (options.MaxRecords is { } max && read >= max)
                        {
                            truncated = true;
                            break;
                        }

                        read++;
                        if (rows.Process(input.Name, record, mapping).Rejection is { } rejection)
                        {
                            rejected++;
                            reasons[rejection.ReasonKey] = reasons.GetValueOrDefault(rejection.ReasonKey) + 1;
                            if (rejects.Count < options.MaxRejectExamples)
                            {
                                rejects.Add(rejection.Example());
                            }
                        }
                    }

                    if (!truncated)
                    {
                        rows.CheckColumnsAtEnd(input.Name, reader, mapping, read);
                    }
                }
            }
            catch (DataValidationException ex)
            {
                fileError ??= ex.Message;
            }

            fileColumns = reader.FileColumns;
        }

        var present = definition.Source.Format == SourceFormat.Csv ? header : [.. fileColumns];
        var matches = definition.Columns.Select(c =>
        {
            int? position = definition.Source.Format == SourceFormat.Csv
                ? IndexOf(header, c.EffectiveSourceColumn) is var i and >= 0 ? i + 1 : null
                : fileColumns.Contains(c.EffectiveSourceColumn) ? 0 : null;
            return new ColumnMatch(c.Name, c.EffectiveSourceColumn, position, c.Optional);
        }).ToList();
        var readNames = new HashSet<string>(sourceColumns, StringComparer.Ordinal);
        var ignored = present.Where(n => !readNames.Contains(n)).ToList();
        return new DefinitionCheckResult
        {
            Input = input.Name,
            Columns = matches,
            IgnoredFileColumns = ignored,
            FileError = fileError,
            RecordsRead = read,
            RecordsRejected = rejected,
            Rejects = rejects,
            RejectReasons = [.. reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)],
            Truncated = truncated,
        };
    }

    /// <summary>Formats a result as lines a person reads: the mapping, the ignored columns, the rejects.</summary>
    public static string Describe(DefinitionCheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new System.Text.StringBuilder();
        var width = result.Columns.Count == 0 ? 0 : result.Columns.Max(c => c.Column.Length);
        text.AppendLine(CultureInfo.InvariantCulture, $"{result.Input}: columns");
        foreach (var c in result.Columns)
        {
            var where = c.Position switch
            {
                null when c.Optional => "not in the file (optional: null in every row)",
                null => "NOT IN THE FILE",
                0 => "found",
                { } p => string.Create(CultureInfo.InvariantCulture, $"field {p}"),
            };
            text.AppendLine(CultureInfo.InvariantCulture, $"  {c.Column.PadRight(width)}  <- \"{c.SourceColumn}\"  {where}");
        }

        if (result.IgnoredFileColumns.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ignored: the file's {string.Join(", ", result.IgnoredFileColumns.Select(n => $"\"{n}\""))} {(result.IgnoredFileColumns.Count == 1 ? "is" : "are")} read by no column (add a column with that sourceColumn to keep it)");
        }

        if (result.FileError is { } error)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  file error (a run fails the file): {error}");
        }

        var scope = result.Truncated ? "first " : string.Empty;
        text.AppendLine(CultureInfo.InvariantCulture, $"  {scope}{result.RecordsRead:#,0} records read: {result.RecordsRejected:#,0} would be rejected");
        foreach (var reject in result.Rejects)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {reject}");
        }

        if (result.RecordsRejected > result.Rejects.Count)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    … {result.RecordsRejected - result.Rejects.Count:#,0} more; by reason: {string.Join("; ", result.RejectReasons.Select(r => $"{r.Value:#,0} {r.Key}"))}");
        }

        return text.ToString();
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
