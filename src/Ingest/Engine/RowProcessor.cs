using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Ingest.Engine.Reading;
using Ingest.Engine.Validation;
using Ingest.Engine.Writing;
using Ingest.Storage;

namespace Ingest.Engine;

/// <summary>
/// Where a source record went: a curated row (partition and file values) or a rejection. The file values
/// and bits arrays are reused for the next record: the caller copies what it keeps before processing another.
/// A slot of the file values holding <see cref="PhysicalValue.InBits"/> has its value in the file bits (a
/// string's characters are in the record's <see cref="SourceRecord.Characters"/>).
/// </summary>
internal readonly record struct RowOutcome(string? PartitionPath, object?[]? FileValues, long[]? FileBits, char[]? Characters, Rejection? Rejection);

/// <summary>
/// A rejected record: the quarantine row, the reason without row-specific detail (for counting), the column concerned and
/// the definition member that would accept such values (when there is one), for the examples of a failed run.
/// </summary>
internal sealed record Rejection(object?[] Values, string ReasonKey, string? Column = null, string? Fix = null)
{
    /// <summary>One line a person can act on: <c>file line N, column "c": "value" is not a …; fix: the member</c>.</summary>
    public string Example()
    {
        var m = Values.Length - DatasetLayout.QuarantineMetadataColumns.Count;
        var reason = (string)Values[m]!;
        var where = string.Create(CultureInfo.InvariantCulture, $"{Values[m + 3]} line {Values[m + 4]}");
        if (Column is not null)
        {
            where += $", column \"{Column}\"";
            reason = reason.StartsWith(Column + ": ", StringComparison.Ordinal) ? reason[(Column.Length + 2)..] : reason;
        }

        return Fix is null ? $"{where}: {reason}" : $"{where}: {reason} [fix: {Fix}]";
    }
}

/// <summary>
/// Turns a source record into a typed row and decides its fate: conversion, user transforms, quality rules,
/// merge-key uniqueness, partition path. Every record ends as exactly one outcome.
/// </summary>
internal sealed class RowProcessor
{
    private readonly DatasetDefinition _definition;
    private readonly string _runId;
    private readonly DateTime _ingestedAt;
    private readonly long _ingestedAtMicros;
    private readonly IReadOnlyList<Action<IngestRow>> _transforms;
    private readonly ValueConverter _converter;
    private readonly QualityRuleSet _rules;
    private readonly Partitioner _partitioner;
    private readonly RowLayout _layout;
    private readonly int[] _fileOrdinals;
    private readonly int _fileWidth;
    private readonly int[]? _keyOrdinals;
    private readonly StringBuilder _keyBuilder = new();
    private readonly char _delimiter;
    private readonly ColumnDefinition[] _columns;
    private readonly bool _valuesAreFileValues;
    private readonly object?[] _values;
    private readonly object?[] _fileValues;
    private readonly IReadOnlyList<ColumnDefinition> _fileColumns;

    // Columns read by nothing but the Parquet writer travel in their physical form, without a box (ADR 0012).
    private readonly bool[] _physical;
    private readonly long[] _bits;
    private readonly long[] _fileBits;

    public RowProcessor(DatasetDefinition definition, string runId, DateTime ingestedAt, DateOnly ingestDate, IReadOnlyList<Action<IngestRow>> transforms, IngestExtensions? extensions = null)
    {
        _definition = definition;
        _runId = runId;
        _ingestedAt = ingestedAt;
        _ingestedAtMicros = PhysicalValue.FromTimestamp(ingestedAt);
        _transforms = transforms;
        _converter = new ValueConverter(definition.Source);
        _rules = new QualityRuleSet(definition, extensions);
        _partitioner = new Partitioner(definition, ingestDate);
        _layout = new RowLayout(definition.Columns);
        var fileColumns = DatasetLayout.CuratedFileColumns(definition);
        _fileColumns = fileColumns;
        _fileWidth = fileColumns.Count;
        _values = new object?[definition.Columns.Count];
        _fileValues = new object?[_fileWidth];
        _bits = new long[definition.Columns.Count];
        _fileBits = new long[_fileWidth];
        var readElsewhere = ColumnsReadByTheEngine(definition);
        _physical = [.. definition.Columns.Select(c => transforms.Count == 0 && PhysicalValue.Supports(c.Type) && !readElsewhere.Contains(c.Name))];
        _fileOrdinals = [.. fileColumns.Take(fileColumns.Count - DatasetLayout.LineageColumns.Count).Select(c => _layout.IndexOf(c.Name))];
        _columns = [.. definition.Columns];

        // When the file's columns are the schema's in order (no column moved into the partition path), a row's
        // values are converted straight into the file's arrays, which then only need the lineage columns.
        _valuesAreFileValues = transforms.Count == 0 && _fileOrdinals.Length == _columns.Length && _fileOrdinals.Index().All(p => p.Item == p.Index);
        if (_valuesAreFileValues)
        {
            (_values, _bits) = (_fileValues, _fileBits);
        }
        if (definition.Write.Mode == WriteMode.Merge)
        {
            _keyOrdinals = [.. definition.Keys.Select(_layout.IndexOf)];
            MergeKeys = new HashSet<string>(StringComparer.Ordinal);
        }

        _delimiter = DefinitionValidator.UnescapeChar(definition.Source.Csv.Delimiter) ?? ',';
        QuarantinePartition = $"ingest_date={ingestDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/";
    }

    /// <summary>Gets the keys of the rows accepted in merge mode (null in other modes).</summary>
    public HashSet<string>? MergeKeys { get; }

    /// <summary>Gets the partition path of quarantine files.</summary>
    public string QuarantinePartition { get; }

    /// <summary>
    /// Maps each schema column to its field index in the reader's <see cref="ISourceReader.Header"/> (-1: absent). A column
    /// the file lacks (<see cref="ISourceReader.FileColumns"/>) fails the input, unless it is optional: then it is null in
    /// every row of the file and the run counts the input in <c>ingest.inputs_without.</c><em>name</em>. When the file's
    /// columns are known only after its last record (JSON Lines), <see cref="CheckColumnsAtEnd"/> does the same then.
    /// </summary>
    public ColumnMapping MapColumns(string inputName, ISourceReader reader, bool checkWidth)
        => MapColumns(inputName, reader.Header, reader.FileColumnsKnownAtOpen ? reader.FileColumns : null, checkWidth);

    /// <summary>Maps the columns of a file whose header is its columns (see <see cref="MapColumns(string, ISourceReader, bool)"/>).</summary>
    public ColumnMapping MapColumns(string inputName, IReadOnlyList<string> header, bool checkWidth) => MapColumns(inputName, header, header, checkWidth);

    private ColumnMapping MapColumns(string inputName, IReadOnlyList<string> header, IReadOnlyCollection<string>? fileColumns, bool checkWidth)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            positions.TryAdd(header[i], i);
        }

        var map = new int[_definition.Columns.Count];
        for (var c = 0; c < map.Length; c++)
        {
            map[c] = positions.GetValueOrDefault(_definition.Columns[c].EffectiveSourceColumn, -1);
        }

        var mapping = new ColumnMapping(map, checkWidth ? header.Count : -1);
        if (fileColumns is not null)
        {
            CheckColumns(inputName, fileColumns, mapping);
        }

        return mapping;
    }

    /// <summary>The check of <see cref="MapColumns(string, ISourceReader, bool)"/> for a reader whose columns are known once every record is read.</summary>
    public void CheckColumnsAtEnd(string inputName, ISourceReader reader, ColumnMapping mapping, long records)
    {
        // A file without records has lost nothing.
        if (!reader.FileColumnsKnownAtOpen && records > 0)
        {
            CheckColumns(inputName, reader.FileColumns, mapping);
        }
    }

    private void CheckColumns(string inputName, IReadOnlyCollection<string> fileColumns, ColumnMapping mapping)
    {
        var present = fileColumns as IReadOnlySet<string> ?? new HashSet<string>(fileColumns, StringComparer.Ordinal);
        var missing = new List<ColumnDefinition>();
        for (var c = 0; c < _definition.Columns.Count; c++)
        {
            var column = _definition.Columns[c];
            if (present.Contains(column.EffectiveSourceColumn))
            {
                continue;
            }

            mapping.Positions[c] = -1;
            if (column.Optional)
            {
                Diagnostics.IngestRunCounters.Increment(InputsWithoutCounter + column.Name);
            }
            else
            {
                missing.Add(column);
            }
        }

        if (missing.Count > 0)
        {
            throw MissingColumns(inputName, fileColumns, missing);
        }
    }

    /// <summary>The prefix of the counter of inputs that lacked an optional column (followed by the column's name).</summary>
    public const string InputsWithoutCounter = "ingest.inputs_without.";

    private DataValidationException MissingColumns(string inputName, IReadOnlyCollection<string> fileColumns, List<ColumnDefinition> missing)
    {
        // Suggest only the file's columns that no definition column reads already.
        var used = new HashSet<string>(_definition.Columns.Select(c => c.EffectiveSourceColumn), StringComparer.Ordinal);
        var unused = fileColumns.Where(n => !used.Contains(n)).ToList();
        var described = missing.Select(column =>
        {
            var text = column.SourceColumn is null ? $"'{column.Name}'" : $"'{column.Name}' (sourceColumn '{column.SourceColumn}')";
            return Suggestions.Closest(column.EffectiveSourceColumn, unused) is { } closest ? $"{text}: did you mean '{closest}'?" : text;
        });
        var has = fileColumns.Count == 0 ? "no columns" : string.Join(", ", fileColumns.Select(h => $"'{h}'"));
        var noun = missing.Count == 1 ? "the definition's column" : "the definition's columns";
        return new DataValidationException(
            $"{inputName}: {noun} {string.Join("; ", described)} {(missing.Count == 1 ? "is" : "are")} not in the file, which has {has}; nothing was written. "
            + "Fix the file, set the column's sourceColumn to the file's name for it, or mark the column \"optional\": true if some files lack it.")
        {
            Dataset = _definition.Id,
            Location = inputName,
            Line = _definition.Source.Format == SourceFormat.Csv ? 1 : null,
            Column = missing[0].Name,
        };
    }

    /// <summary>
    /// Converts the text of the first <paramref name="columns"/> schema columns of a record into
    /// <see cref="SourceRecord.Prepared"/>, stopping at the first that is not a value of its type. Touches
    /// nothing but the record: the reading task calls it while <see cref="Process"/> runs on other records,
    /// which then converts only the remaining columns. Outcomes are the same for any number of columns.
    /// </summary>
    public void Prepare(SourceRecord record, ColumnMapping mapping, int columns)
    {
        if (record.Error is not null || (mapping.ExpectedWidth >= 0 && record.FieldCount != mapping.ExpectedWidth))
        {
            return;
        }

        var schema = _columns;
        columns = Math.Min(columns, schema.Length);
        var values = record.PreparedValues(schema.Length);
        var bits = record.PreparedBits;
        for (var c = 0; c < columns; c++)
        {
            if (Convert(record, mapping, c, schema[c].Type, out var value, out bits[c]) is { } problem)
            {
                record.SetPrepared(c, c, problem);
                return;
            }

            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(values), c) = value;
        }

        record.SetPrepared(columns, -1, null);
    }

    private static string? FieldText(SourceRecord record, ColumnMapping mapping, int column)
    {
        var index = mapping.Positions[column];
        return index >= 0 && index < record.FieldCount ? record.GetField(index) : null;
    }

    /// <summary>
    /// Converts one schema column of a record: from the field's characters when a fast path applies (into
    /// <paramref name="bits"/> for a physical column, the value then being <see cref="PhysicalValue.InBits"/>),
    /// else from its string.
    /// </summary>
    private string? Convert(SourceRecord record, ColumnMapping mapping, int column, ColumnType type, out object? value, out long bits)
    {
        bits = 0;
        var index = mapping.Positions[column];
        if (index < 0 || index >= record.FieldCount)
        {
            return _converter.TryConvert(null, type, out value);
        }

        // A typed value (a Parquet column) whose type is the column's is taken as it is; any other goes through its
        // invariant text, with the text conversion's rules and messages (ADR 0015).
        if (record.TryGetTyped(index, out var kind, out var source, out var number))
        {
            return _converter.TryConvertTyped(kind, source, number, type, _physical[column], out value, out bits)
                ? null
                : _converter.TryConvert(record.GetField(index), type, out value);
        }

        if (type.Kind == ColumnKind.String)
        {
            // A string only the writer reads stays characters, encoded to UTF-8 straight into its column buffer.
            if (_physical[column] && record.TryGetRange(index, out var start, out var length))
            {
                value = _converter.IsNull(record.Characters.AsSpan(start, length)) ? null : PhysicalValue.InBits;
                bits = PhysicalValue.FromRange(start, length);
                return null;
            }
        }
        else if (record.TryGetSpan(index, out var span))
        {
            if (_physical[column])
            {
                if (_converter.TryConvertPhysical(span, type, out bits, out var isNull))
                {
                    value = isNull ? null : PhysicalValue.InBits;
                    return null;
                }
            }
            else if (_converter.TryConvertFast(span, type, out value))
            {
                return null;
            }
        }

        return _converter.TryConvert(FieldText(record, mapping, column), type, out value);
    }

    /// <summary>The columns a rule (built in or custom: the columns its entry names), a partition field (other than a day, month or year: <see cref="Partitioner.ReadsPhysical"/>) or the merge keys read as objects.</summary>
    private static HashSet<string> ColumnsReadByTheEngine(DatasetDefinition definition)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in definition.Quality.Rules)
        {
            if (rule.Column is { } column)
            {
                names.Add(column);
            }

            names.UnionWith(rule.Columns);
        }

        // The partitioner reads days, months and years of dates and timestamps in their physical form.
        names.UnionWith(definition.Partitioning
            .Where(p => p.Column is not null && !(definition.FindColumn(p.Column) is { } column && Partitioner.ReadsPhysical(p, column.Type)))
            .Select(p => p.Column!));
        names.UnionWith(definition.Keys);
        return names;
    }

    /// <summary>The value of file column <paramref name="index"/> of an accepted row, as an object (for tests and diagnostics).</summary>
    internal object? FileValue(RowOutcome outcome, int index)
    {
        var value = outcome.FileValues![index];
        return ReferenceEquals(value, PhysicalValue.InBits) ? PhysicalValue.ToClr(outcome.FileBits![index], _fileColumns[index].Type, outcome.Characters) : value;
    }

    public RowOutcome Process(string inputName, SourceRecord record, ColumnMapping mapping)
    {
        if (record.Error is { } error)
        {
            return Reject(inputName, record, mapping, error, KeyOf(error), raw: record.RawText ?? JoinFields(record), fix: RecordFix());
        }

        if (mapping.ExpectedWidth >= 0 && record.FieldCount != mapping.ExpectedWidth)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"ragged row: {record.FieldCount} fields, expected {mapping.ExpectedWidth}");
            return Reject(inputName, record, mapping, reason, "ragged row", JoinFields(record), fix: RecordFix());
        }

        var columns = _columns;
        // Without transforms nothing outside this call sees the array, so one serves every row.
        var values = _transforms.Count == 0 ? _values : new object?[columns.Length];
        var bits = _bits;
        var prepared = record.PreparedCount;
        var (preparedValues, preparedBits) = (record.Prepared, record.PreparedBits);
        for (var c = 0; c < columns.Length; c++)
        {
            object? value;
            string? problem = null;
            if (c < prepared)
            {
                value = preparedValues[c];
                bits[c] = preparedBits[c];
            }
            else if (c == record.PreparedProblemColumn)
            {
                (value, problem) = (null, record.PreparedProblem);
            }
            else
            {
                problem = Convert(record, mapping, c, columns[c].Type, out value, out bits[c]);
            }

            if (problem is not null)
            {
                var column = columns[c];
                return Reject(
                    inputName, record, mapping, $"{column.Name}: \"{FieldText(record, mapping, c)}\" is not a {column.Type} ({problem})", $"{column.Name}: not a {column.Type}", column: column.Name, fix: ConversionFix(c, problem));
            }

            if (value is null && !columns[c].Nullable)
            {
                return Reject(
                    inputName, record, mapping, $"{columns[c].Name}: missing value in a required column", $"{columns[c].Name}: missing required value", column: columns[c].Name,
                    fix: string.Create(CultureInfo.InvariantCulture, $"columns[{c}].nullable or source.nullMarkers"));
            }

            // The arrays are exactly object?[]: the store needs no covariance check.
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(values), c) = value;
        }

        if (_transforms.Count > 0)
        {
            var row = new IngestRow(_layout, values, inputName, record.Line);
            for (var t = 0; t < _transforms.Count; t++)
            {
                try
                {
                    _transforms[t](row);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new IngestException(
                        string.Create(CultureInfo.InvariantCulture, $"{inputName} line {record.Line}: transform #{t + 1} of dataset {_definition.Id} threw {ex.GetType().Name}: {ex.Message}"),
                        ex)
                    { Dataset = _definition.Id, Location = inputName, Line = record.Line };
                }

                if (row.RejectReason is { } rejected)
                {
                    return Reject(inputName, record, mapping, $"transform: {rejected}", $"transform: {rejected}");
                }
            }

            for (var c = 0; c < columns.Length; c++)
            {
                if (values[c] is null && !columns[c].Nullable)
                {
                    return Reject(inputName, record, mapping, $"{columns[c].Name}: a transform left a required column empty", $"{columns[c].Name}: missing required value");
                }

                if (values[c] is decimal m && !FitsDecimal(m, columns[c].Type))
                {
                    return Reject(
                        inputName,
                        record,
                        mapping,
                        string.Create(CultureInfo.InvariantCulture, $"{columns[c].Name}: a transform set {m}, which is not a {columns[c].Type} (more digits than its precision or scale)"),
                        $"{columns[c].Name}: transform value out of range");
                }
            }
        }

        if (_rules.Check(values) is { } violation)
        {
            if (violation.Rule.Action == RuleAction.Fail)
            {
                throw new DataValidationException(
                    string.Create(CultureInfo.InvariantCulture, $"{inputName} line {record.Line}, column \"{violation.Column}\": rule {violation.Reason}; the rule's action is fail, so the run of {_definition.Id} stops and publishes nothing."))
                {
                    Dataset = _definition.Id,
                    Location = inputName,
                    Line = record.Line,
                    Column = violation.Column,
                };
            }

            return Reject(inputName, record, mapping, violation.Reason, violation.Rule.DisplayName, column: violation.Column, fix: RuleFix(violation.Rule));
        }

        if (_partitioner.TryGetPath(values, bits, out var partitionError) is not { } path)
        {
            return Reject(inputName, record, mapping, partitionError!, "unsafe partition value", fix: "partitioning");
        }

        // Last check before the row is accepted: a key in MergeKeys replaces the lake's row with that key, so
        // only rows that reach the curated zone may claim one.
        if (_keyOrdinals is not null && !MergeKeys!.Add(MergeKey(values, _keyOrdinals)))
        {
            return Reject(inputName, record, mapping, $"duplicate key ({KeyValues(values, _keyOrdinals)}) within this run; merge keeps one row per key", "duplicate key within run");
        }

        _rules.Accept();
        var fileValues = _fileValues;
        var fileBits = _fileBits;
        for (var i = 0; i < _fileOrdinals.Length && !_valuesAreFileValues; i++)
        {
            var ordinal = _fileOrdinals[i];
            fileValues[i] = values[ordinal];
            fileBits[i] = bits[ordinal];
        }

        var lineage = _fileOrdinals.Length;
        fileValues[lineage] = _runId;
        fileValues[lineage + 1] = inputName;
        fileValues[lineage + 2] = PhysicalValue.InBits;
        fileBits[lineage + 2] = record.Line;
        fileValues[lineage + 3] = PhysicalValue.InBits;
        fileBits[lineage + 3] = _ingestedAtMicros;
        return new RowOutcome(path, fileValues, fileBits, record.Characters, null);
    }

    // Not a lambda in Process: a lambda capturing the row's values would allocate its closure on every call.
    private static string KeyValues(object?[] values, int[] ordinals) => string.Join(", ", ordinals.Select(i => InvariantValues.Format(values[i])));

    /// <summary>Whether a decimal has at most the type's scale in decimal places and precision in digits.</summary>
    internal static bool FitsDecimal(decimal value, ColumnType type)
    {
        if (decimal.Round(value, type.Scale, MidpointRounding.ToEven) != value)
        {
            return false;
        }

        var limit = 1m;
        for (var i = 0; i < type.Precision - type.Scale; i++)
        {
            limit *= 10;
        }

        return Math.Abs(decimal.Truncate(value)) < limit;
    }

    /// <summary>The merge key of a row: the invariant text of each key value, normalised so 1.5 and 1.50 agree.</summary>
    internal string MergeKey(object?[] values, int[] ordinals)
    {
        _keyBuilder.Clear();
        foreach (var ordinal in ordinals)
        {
            _keyBuilder.Append(KeyText(values[ordinal])).Append('\u001f');
        }

        return _keyBuilder.ToString();
    }

    internal static string? KeyText(object? value) => value switch
    {
        decimal d => d.ToString("G29", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => InvariantValues.Format(value),
    };

    /// <summary>The definition member that sets the accepted form of column <paramref name="column"/>'s values.</summary>
    private string ConversionFix(int column, string problem)
    {
        var type = _columns[column].Type;
        return type.Kind switch
        {
            ColumnKind.Date => "source.dateFormats",
            ColumnKind.Timestamp => "source.timestampFormats and source.timeZone",
            ColumnKind.Decimal or ColumnKind.Float or ColumnKind.Double => string.Create(
                CultureInfo.InvariantCulture, $"source.decimalSeparator and source.groupSeparator (or columns[{column}].type)"),
            ColumnKind.Int32 or ColumnKind.Int64 when problem.StartsWith("out of", StringComparison.Ordinal)
                => string.Create(CultureInfo.InvariantCulture, $"columns[{column}].type"),
            ColumnKind.Int32 or ColumnKind.Int64 => string.Create(CultureInfo.InvariantCulture, $"source.groupSeparator (or columns[{column}].type)"),
            _ => string.Create(CultureInfo.InvariantCulture, $"columns[{column}].type"),
        };
    }

    private string RecordFix() => _definition.Source.Format == SourceFormat.Csv ? "source.csv.delimiter and source.csv.quote" : "source.format";

    private string RuleFix(QualityRule rule)
    {
        for (var i = 0; i < _definition.Quality.Rules.Count; i++)
        {
            if (ReferenceEquals(_definition.Quality.Rules[i], rule))
            {
                return string.Create(CultureInfo.InvariantCulture, $"quality.rules[{i}]");
            }
        }

        return "quality.rules";
    }

    private RowOutcome Reject(
        string inputName, SourceRecord record, ColumnMapping mapping, string reason, string reasonKey, string? raw = null, string? column = null, string? fix = null)
    {
        var columns = _definition.Columns;
        var values = new object?[columns.Count + DatasetLayout.QuarantineMetadataColumns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var index = mapping.Positions[c];
            values[c] = index >= 0 && index < record.FieldCount ? record.Fields[index] : null;
        }

        var m = columns.Count;
        values[m] = reason;
        values[m + 1] = raw;
        values[m + 2] = _runId;
        values[m + 3] = inputName;
        values[m + 4] = record.Line;
        values[m + 5] = _ingestedAt;
        return new RowOutcome(null, null, null, null, new Rejection(values, reasonKey, column, fix));
    }

    private string JoinFields(SourceRecord record)
        => string.Join(_delimiter, record.Fields.Take(record.FieldCount).Select(f => f ?? string.Empty));

    private static string KeyOf(string error)
    {
        var cut = error.IndexOfAny([':', '(']);
        return cut > 0 ? error[..cut].Trim() : error;
    }
}

/// <summary>Schema column → field index (-1: absent), and the expected field count (-1: not checked).</summary>
internal sealed record ColumnMapping(int[] Positions, int ExpectedWidth);
