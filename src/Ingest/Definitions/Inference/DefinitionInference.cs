using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Engine;
using Ingest.Engine.Conversion;
using Ingest.Engine.Reading;
using Parquet;
using Parquet.Schema;

namespace Ingest.Definitions.Inference;

/// <summary>
/// Drafts a dataset definition from data: reads a bounded sample of CSV, JSON Lines or Parquet files with the engine's own
/// readers, detects the CSV dialect and encoding, and gives each column the narrowest type whose conversion (the engine's
/// converter, as a run uses it) accepts every sampled value. The draft is valid and is checked against the sample; keys,
/// partitioning and rules are only suggested, in the report.
/// </summary>
public static partial class DefinitionInference
{
    private static readonly string[] KnownNullMarkers = ["NULL", "null", "Null", "NA", "N/A", "n/a", "#N/A", "\\N", "None", "nil", "NaN"];
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <summary>Drafts a definition from files (all of one format, read as one dataset).</summary>
    /// <exception cref="ArgumentException">No inputs, or inputs of different formats.</exception>
    /// <exception cref="DataValidationException">A file cannot be read as its format (not Parquet, a quote never closed within the limit).</exception>
    public static async Task<InferredDefinition> InferAsync(IReadOnlyList<IngestInput> inputs, DefinitionInferenceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("Give at least one file to infer a definition from.", nameof(inputs));
        }

        options ??= new DefinitionInferenceOptions();
        options.Validate();
        var format = options.Format ?? FormatOf(inputs);
        var id = options.Id ?? DefaultId(inputs[0].Name);
        var draft = format == SourceFormat.Csv || format == SourceFormat.JsonLines
            ? await InferTextAsync(inputs, options, format, cancellationToken).ConfigureAwait(false)
            : format == SourceFormat.Parquet
                ? await InferParquetAsync(inputs, options, cancellationToken).ConfigureAwait(false)
                : throw new ArgumentException("Inference reads csv, json-lines or parquet files.", nameof(options));

        var definition = new DatasetDefinition
        {
            Id = id,
            Description = $"Drafted by inference from {string.Join(", ", inputs.Select(i => i.Name))}; review before registering.",
            Source = draft.Source,
            Columns = draft.Columns,
        };

        // The draft goes through the same validation as a file would (a draft that `datasets add` refuses is a bug here).
        definition = DatasetDefinitionSerializer.Deserialize(DatasetDefinitionSerializer.Serialize(definition), "(inferred draft)");
        var checks = new List<DefinitionCheckResult>();
        foreach (var sample in draft.Samples)
        {
            checks.Add(await DefinitionCheck.CheckAsync(
                definition,
                sample.Input,
                new DefinitionCheckOptions { MaxRecords = sample.WholeFile ? null : sample.Records, MaxRejectExamples = 20 },
                cancellationToken).ConfigureAwait(false));
        }

        var report = new InferenceReport
        {
            Inputs = [.. draft.Samples.Select(s => new InferredInput(s.Input.Name, s.Records, s.Bytes, s.WholeFile))],
            SourceDecisions = draft.Decisions,
            Columns = draft.Report,
            Suggestions = Suggest(definition, draft),
            Warnings = draft.Warnings,
            Checks = checks,
        };
        return new InferredDefinition(definition, report);
    }

    /// <summary>
    /// Drafts the columns of a source whose rows arrive as values, such as a database table read through ADO.NET: a column
    /// takes its declared type when it has one, otherwise the narrowest type the engine's converter accepts for every value
    /// (in its invariant text form), and is nullable when the source allows nulls (or, when it does not say, when the rows
    /// hold one). <paramref name="source"/> is written to the draft as it is (a <c>database</c> source with its connection).
    /// </summary>
    /// <remarks>Nothing here checks the draft against the source: the first run's probe does (each column must exist and its type map).</remarks>
    public static async Task<InferredDefinition> InferFromValuesAsync(
        DatasetId id, SourceDefinition source, string sourceName, IReadOnlyList<InferenceField> fields, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        var probes = new TypeProbes(SourceFormat.Database, ".", source.TimeZone);
        var profiles = fields.Select(f => new ColumnProfile(f.Name, probes, [])).ToList();
        long records = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            records++;
            for (var i = 0; i < profiles.Count; i++)
            {
                profiles[i].Add(i < row.Length ? InvariantValues.Format(row[i] is DBNull ? null : row[i]) : null);
            }
        }

        var warnings = new List<string>();
        var built = BuildColumns(profiles, byPosition: false, warnings);
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var column = built.Columns[i];
            var report = built.Report[i];
            var type = field.DeclaredType ?? column.Type;
            var nullable = field.AllowsNull ?? column.Nullable;
            var typeReason = field.DeclaredType is { } declared
                ? $"the column is declared {field.DeclaredTypeName ?? declared.ToString()}"
                : $"{(field.DeclaredTypeName is { } name ? $"declared {name}, checked value by value: " : string.Empty)}{report.Reason[..report.Reason.IndexOf(';', StringComparison.Ordinal)]}";
            var nullReason = field.AllowsNull switch
            {
                false => "not null: declared NOT NULL",
                true => "nullable: the column allows nulls",
                null => report.Reason[(report.Reason.IndexOf(';', StringComparison.Ordinal) + 2)..],
            };
            built.Columns[i] = column with { Type = type, Nullable = nullable, Optional = false };
            built.Report[i] = report with { Type = type, Format = null, Nullable = nullable, Reason = $"{typeReason}; {nullReason}" };
        }

        var definition = DatasetDefinitionSerializer.Deserialize(
            DatasetDefinitionSerializer.Serialize(new DatasetDefinition { Id = id, Description = $"Drafted by inference from {sourceName}; review before registering.", Source = source, Columns = built.Columns }),
            "(inferred draft)");
        var sample = new Sample(IngestInput.FromStream(sourceName, _ => Task.FromResult<Stream>(Stream.Null)), records, 0, WholeFile: false);
        var draft = new Draft(definition.Source, built.Columns, built.Report, profiles, [], warnings, [sample]);
        var report2 = new InferenceReport
        {
            Inputs = [new InferredInput(sourceName, records, 0, WholeFile: false)],
            SourceDecisions = [$"format {source.Format}: declared column types where they map, values checked by the engine's converter otherwise; the first run's probe checks the draft against the source"],
            Columns = built.Report,
            Suggestions = Suggest(definition, draft),
            Warnings = warnings,
            Checks = [],
        };
        return new InferredDefinition(definition, report2);
    }

    /// <summary>The source format a file name suggests, or <see langword="null"/>.</summary>
    public static SourceFormat? FormatFromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var extension = Path.GetExtension(name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name).ToLowerInvariant();
        return extension switch
        {
            ".csv" or ".tsv" or ".txt" or ".tab" => SourceFormat.Csv,
            ".jsonl" or ".ndjson" or ".json" => SourceFormat.JsonLines,
            ".parquet" or ".pq" => SourceFormat.Parquet,
            _ => null,
        };
    }

    private static SourceFormat FormatOf(IReadOnlyList<IngestInput> inputs)
    {
        var formats = inputs.Select(i => FormatFromName(i.Name)).Distinct().ToList();
        if (formats.Count > 1)
        {
            throw new ArgumentException($"The files are of different formats ({string.Join(", ", inputs.Select(i => i.Name))}): infer one dataset from files of one format.", nameof(inputs));
        }

        return formats[0] ?? throw new ArgumentException($"{inputs[0].Name}: the format cannot be told from the extension; give it (csv, json-lines or parquet).", nameof(inputs));
    }

    private static DatasetId DefaultId(string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var identifier = Identifier.IsValid(stem) ? stem : Identifier.Suggest(stem) ?? "data";
        return DatasetId.Create("draft", identifier);
    }

    private sealed record Sample(IngestInput Input, long Records, long Bytes, bool WholeFile);

    private sealed record Draft(
        SourceDefinition Source,
        IReadOnlyList<ColumnDefinition> Columns,
        IReadOnlyList<InferredColumn> Report,
        IReadOnlyList<ColumnProfile> Profiles,
        IReadOnlyList<string> Decisions,
        IReadOnlyList<string> Warnings,
        IReadOnlyList<Sample> Samples);

    /// <summary>CSV and JSON Lines: encoding, dialect (CSV), null markers and separators, then every column's type.</summary>
    private static async Task<Draft> InferTextAsync(IReadOnlyList<IngestInput> inputs, DefinitionInferenceOptions options, SourceFormat format, CancellationToken cancellationToken)
    {
        var decisions = new List<string> { $"format {format}" };
        var warnings = new List<string>();
        var samples = new List<TextSample>();
        foreach (var input in inputs)
        {
            samples.Add(await TextSample.ReadAsync(input, options.SampleBytes, options.WholeFile, cancellationToken).ConfigureAwait(false));
        }

        var encoding = samples[0].Encoding;
        decisions.Add($"encoding {encoding}: {samples[0].EncodingReason}");
        foreach (var other in samples.Skip(1).Where(s => s.Encoding != encoding))
        {
            warnings.Add($"{other.AsInput().Name} looks like {other.Encoding} ({other.EncodingReason}), the first file like {encoding}: source.encoding is one for all files (a byte order mark still wins).");
        }

        var maxRecords = options.WholeFile ? long.MaxValue - 1 : options.SampleRows;
        var source = new SourceDefinition { Format = format, Encoding = encoding, TimeZone = options.TimeZone };
        string? delimiterReason = null;
        if (format == SourceFormat.Csv)
        {
            var head = await samples[0].HeadTextAsync(1 << 16, cancellationToken).ConfigureAwait(false);
            var (delimiter, reason) = DetectDelimiter(head);
            delimiterReason = reason;
            source = source with { Csv = new CsvSettings { Delimiter = delimiter == '\t' ? "\\t" : delimiter.ToString(), Header = false } };
        }

        // Pass 1: the names (header or JSON properties), the null markers and the decimal separator.
        var pass1 = format == SourceFormat.Csv
            ? await ScanCsvAsync(samples, source, maxRecords, cancellationToken).ConfigureAwait(false)
            : await ScanJsonAsync(samples, source, maxRecords, cancellationToken).ConfigureAwait(false);
        var markers = new List<string> { string.Empty };
        markers.AddRange(KnownNullMarkers.Where(pass1.Markers.ContainsKey));
        var separator = source.Csv.Delimiter != "," && pass1.CommaDecimals > 0 && pass1.DotDecimals == 0 ? "," : ".";
        if (format == SourceFormat.JsonLines)
        {
            separator = ".";
        }

        var probes = new TypeProbes(format, separator, options.TimeZone);

        // Pass 2: every field through the engine's converters.
        var width = pass1.Width;
        var byFile = pass1.Names;
        var header = false;
        List<ColumnProfile> profiles;
        var records = new long[samples.Count];
        var ragged = 0L;
        if (format == SourceFormat.Csv)
        {
            var firstProfiles = Enumerable.Range(0, width).Select(i => new ColumnProfile(string.Create(CultureInfo.InvariantCulture, $"column_{i + 1}"), probes, markers)).ToList();
            var firstRecords = new List<string?[]>();
            for (var f = 0; f < samples.Count; f++)
            {
                var first = true;
                await ForEachCsvRecordAsync(samples[f], source, maxRecords + 1, record =>
                {
                    var fields = Enumerable.Range(0, record.FieldCount).Select(record.GetField).ToArray();
                    if (first)
                    {
                        first = false;
                        firstRecords.Add(fields);
                        return;
                    }

                    records[f]++;
                    if (record.Error is not null || fields.Length != width)
                    {
                        ragged++;
                        return;
                    }

                    for (var i = 0; i < width; i++)
                    {
                        firstProfiles[i].Add(fields[i]);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }

            (header, var headerReason) = DecideHeader(firstRecords[0], firstProfiles, probes, markers);
            decisions.Add($"delimiter {Show(source.Csv.Delimiter)}: {delimiterReason}; quote \" (the default)");
            decisions.Add($"header: {(header ? "yes" : "no")}, {headerReason}");
            if (!header)
            {
                foreach (var first in firstRecords.Where(r => r.Length == width))
                {
                    for (var i = 0; i < width; i++)
                    {
                        firstProfiles[i].Add(first[i]);
                    }
                }

                for (var f = 0; f < records.Length; f++)
                {
                    records[f]++;
                }

                profiles = firstProfiles;
            }
            else
            {
                profiles = await ProfileCsvByNameAsync(samples, source, firstRecords, probes, markers, maxRecords, warnings, cancellationToken).ConfigureAwait(false);
            }

            source = source with { Csv = source.Csv with { Header = header } };
            if (ragged > 0)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{ragged:#,0} sampled records have another number of fields than the {(header ? "header" : "first record")} ({width}) or a broken quote: a run rejects them (listed below)."));
            }
        }
        else
        {
            decisions.Add($"{byFile.Count} properties, in the order they first occur");
            profiles = [.. byFile.Select(n => new ColumnProfile(n, probes, markers))];
            var index = profiles.ToDictionary(p => p.SourceName, StringComparer.Ordinal);
            for (var f = 0; f < samples.Count; f++)
            {
                var names = byFile;
                var seenInFile = new bool[names.Count];
                var reader = new JsonLinesSourceReader(samples[f].AsInput().Name, source, names, samples[f].OpenAsync);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var record = new SourceRecord(names.Count);
                    while (records[f] < maxRecords && await reader.ReadAsync(record, cancellationToken).ConfigureAwait(false))
                    {
                        records[f]++;
                        if (record.Error is not null)
                        {
                            ragged++;
                            continue;
                        }

                        for (var i = 0; i < names.Count; i++)
                        {
                            profiles[i].Add(record.GetField(i));
                        }
                    }

                    var inFile = reader.FileColumns as IReadOnlySet<string> ?? new HashSet<string>(reader.FileColumns, StringComparer.Ordinal);
                    foreach (var profile in profiles.Where(p => !inFile.Contains(p.SourceName)))
                    {
                        profile.FilesWithout++;
                    }
                }
            }

            if (ragged > 0)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{ragged:#,0} sampled lines are not JSON objects: a run rejects them (listed below)."));
            }
        }

        var seenMarkers = markers.Skip(1).ToList();
        decisions.Add(seenMarkers.Count == 0
            ? "null markers: \"\" (the default; no other marker such as NULL or NA was seen)"
            : $"null markers: \"\", {string.Join(", ", seenMarkers.Select(m => $"\"{m}\""))} (seen as whole values in {string.Join(", ", profiles.Where(p => p.MarkersSeen.Keys.Any(k => k.Length > 0)).Select(p => p.SourceName))}; every column reads them as null)");
        if (format == SourceFormat.Csv)
        {
            decisions.Add(separator == ","
                ? string.Create(CultureInfo.InvariantCulture, $"decimal separator \",\": {pass1.CommaDecimals:#,0} values such as 12,50 and none such as 12.50")
                : pass1.CommaDecimals > 0 && source.Csv.Delimiter != ","
                    ? string.Create(CultureInfo.InvariantCulture, $"decimal separator \".\": {pass1.DotDecimals:#,0} values such as 12.50 (and {pass1.CommaDecimals:#,0} such as 12,50, which stay text)")
                    : "decimal separator \".\" (no group separators)");
        }

        var built = BuildColumns(profiles, format == SourceFormat.Csv && !header, warnings);
        var (dateFormats, timestampFormats) = SourceFormats(built.Report, profiles, source with { DecimalSeparator = separator, NullMarkers = markers }, warnings);
        source = source with
        {
            NullMarkers = markers,
            DecimalSeparator = separator,
            DateFormats = dateFormats,
            TimestampFormats = timestampFormats,
        };
        if (built.Report.Any(c => c.Type.Kind == ColumnKind.Timestamp))
        {
            decisions.Add($"time zone {options.TimeZone}: timestamps without an offset are read in it (set source.timeZone to the zone the exporter writes)");
        }

        var sampleList = samples.Select((s, f) => new Sample(s.AsInput(), records[f], s.Length, !s.Truncated && records[f] < maxRecords)).ToList();
        return new Draft(source, built.Columns, built.Report, profiles, decisions, warnings, sampleList);
    }

    private sealed record Scan(IReadOnlyList<string> Names, int Width, Dictionary<string, long> Markers, long CommaDecimals, long DotDecimals);

    private static async Task<Scan> ScanCsvAsync(List<TextSample> samples, SourceDefinition source, long maxRecords, CancellationToken cancellationToken)
    {
        var markers = new Dictionary<string, long>(StringComparer.Ordinal);
        long comma = 0, dot = 0;
        var widths = new Dictionary<int, long>();
        foreach (var sample in samples)
        {
            await ForEachCsvRecordAsync(sample, source, maxRecords + 1, record =>
            {
                widths[record.FieldCount] = widths.GetValueOrDefault(record.FieldCount) + 1;
                for (var i = 0; i < record.FieldCount; i++)
                {
                    var field = record.GetField(i) ?? string.Empty;
                    Count(field, markers, ref comma, ref dot);
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        var width = widths.Count == 0 ? 0 : widths.MaxBy(w => w.Value).Key;
        return new Scan([], width, markers, comma, dot);
    }

    private static void Count(string field, Dictionary<string, long> markers, ref long comma, ref long dot)
    {
        if (field.Length <= 4 && Array.IndexOf(KnownNullMarkers, field) >= 0)
        {
            markers[field] = markers.GetValueOrDefault(field) + 1;
        }
        else if (CommaDecimal().IsMatch(field))
        {
            comma++;
        }
        else if (DotDecimal().IsMatch(field))
        {
            dot++;
        }
    }

    private static async Task<Scan> ScanJsonAsync(List<TextSample> samples, SourceDefinition source, long maxRecords, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var markers = new Dictionary<string, long>(StringComparer.Ordinal);
        long comma = 0, dot = 0;
        foreach (var sample in samples)
        {
            var stream = await sample.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, TextEncodings.Resolve(source.Encoding), detectEncodingFromByteOrderMarks: true);
            long records = 0;
            while (records < maxRecords && await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                records++;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        if (known.Add(property.Name))
                        {
                            names.Add(property.Name);
                        }

                        if (property.Value.ValueKind == JsonValueKind.String)
                        {
                            Count(property.Value.GetString()!, markers, ref comma, ref dot);
                        }
                    }
                }
                catch (JsonException)
                {
                    // Counted and described by the draft's check: a run rejects the line.
                }
            }
        }

        return new Scan(names, names.Count, markers, comma, dot);
    }

    private static async Task ForEachCsvRecordAsync(TextSample sample, SourceDefinition source, long maxRecords, Action<SourceRecord> action, CancellationToken cancellationToken)
    {
        var input = sample.AsInput();
        var reader = new CsvSourceReader(input.Name, source with { Csv = source.Csv with { Header = false, Columns = [] } }, [], sample.OpenAsync);
        await using (reader.ConfigureAwait(false))
        {
            await reader.OpenAsync(cancellationToken).ConfigureAwait(false);
            var record = new SourceRecord(16);
            long n = 0;
            while (n < maxRecords && await reader.ReadAsync(record, cancellationToken).ConfigureAwait(false))
            {
                n++;
                action(record);
            }
        }
    }

    /// <summary>Profiles the columns of files with a header by name (files may order them differently, or lack some).</summary>
    private static async Task<List<ColumnProfile>> ProfileCsvByNameAsync(
        List<TextSample> samples, SourceDefinition source, List<string?[]> headers, TypeProbes probes, List<string> markers, long maxRecords, List<string> warnings, CancellationToken cancellationToken)
    {
        var profiles = new List<ColumnProfile>();
        var byName = new Dictionary<string, ColumnProfile>(StringComparer.Ordinal);
        for (var f = 0; f < samples.Count; f++)
        {
            var names = headers[f].Select(h => (h ?? string.Empty).Trim()).ToArray();
            var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 && g.Key.Length > 0);
            if (duplicate is not null)
            {
                throw new DataValidationException($"{samples[f].AsInput().Name} line 1: the header names '{duplicate.Key}' twice; rename one in the file before inferring (or write source.csv.columns by hand).") { Location = samples[f].AsInput().Name, Line = 1 };
            }

            var columns = new ColumnProfile[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                var name = names[i].Length == 0 ? string.Create(CultureInfo.InvariantCulture, $"column_{i + 1}") : names[i];
                if (names[i].Length == 0)
                {
                    warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{samples[f].AsInput().Name}: header field {i + 1} is empty; a run cannot find an unnamed column by name, so name it in the file (the draft calls it {name})."));
                }

                if (!byName.TryGetValue(name, out var profile))
                {
                    profile = new ColumnProfile(name, probes, markers);
                    byName[name] = profile;
                    profiles.Add(profile);
                    profile.FilesWithout = f;
                }

                columns[i] = profile;
            }

            foreach (var missing in profiles.Where(p => !names.Contains(p.SourceName, StringComparer.Ordinal)))
            {
                missing.FilesWithout++;
            }

            var first = true;
            await ForEachCsvRecordAsync(samples[f], source, maxRecords + 1, record =>
            {
                if (first)
                {
                    first = false;
                    return;
                }

                if (record.Error is not null || record.FieldCount != columns.Length)
                {
                    return;
                }

                for (var i = 0; i < columns.Length; i++)
                {
                    columns[i].Add(record.GetField(i));
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        return profiles;
    }

    /// <summary>
    /// A first record is a header when one of its values is not of the type the column's other values share (a name over
    /// numbers or dates); when every column is text, when its values are all present and distinct.
    /// </summary>
    private static (bool Header, string Reason) DecideHeader(string?[] first, List<ColumnProfile> rest, TypeProbes probes, List<string> markers)
    {
        for (var i = 0; i < Math.Min(first.Length, rest.Count); i++)
        {
            var (type, format, _) = rest[i].Decide();
            if (type.Kind == ColumnKind.String || rest[i].NonNull == 0)
            {
                continue;
            }

            var value = first[i];

            // The first record's numbers may be wider than the rest's: a header is a value that is no number at all.
            type = type.Kind is ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Decimal ? ColumnType.Double : type;
            var converter = type.Kind switch
            {
                ColumnKind.Date => probes.Dates[Array.IndexOf(TypeProbes.DateFormats, format)],
                ColumnKind.Timestamp => probes.Timestamps[Array.IndexOf(TypeProbes.TimestampFormats, format)],
                _ => probes.Values,
            };
            if (value is not null && !markers.Contains(value) && converter.TryConvert(value, type, out _) is not null)
            {
                return (true, $"the first record's \"{value}\" is not a {(type == ColumnType.Double ? "number" : type.ToString())} like the values below it");
            }
        }

        var values = first.Select(v => (v ?? string.Empty).Trim()).ToList();
        if (values.All(v => v.Length > 0 && !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) && values.Distinct(StringComparer.Ordinal).Count() == values.Count)
        {
            return (true, "the first record's values are distinct names, none a number");
        }

        return (false, "the first record looks like data (values missing, repeated or numeric), so the columns are named column_1, column_2, … by position");
    }

    private sealed record Built(List<ColumnDefinition> Columns, List<InferredColumn> Report);

    private static Built BuildColumns(List<ColumnProfile> profiles, bool byPosition, List<string> warnings)
    {
        var columns = new List<ColumnDefinition>();
        var report = new List<InferredColumn>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < profiles.Count; i++)
        {
            var profile = profiles[i];
            var source = byPosition ? null : profile.SourceName;
            var name = byPosition ? string.Create(CultureInfo.InvariantCulture, $"column_{i + 1}") : NameFor(profile.SourceName, i);
            var unique = name;
            for (var n = 2; !used.Add(unique); n++)
            {
                var suffix = string.Create(CultureInfo.InvariantCulture, $"_{n}");
                unique = (name.Length + suffix.Length > 64 ? name[..(64 - suffix.Length)] : name) + suffix;
            }

            if (unique != name)
            {
                warnings.Add($"\"{profile.SourceName}\" and another column both become {name}: this one is {unique}.");
            }

            var (type, format, reason) = profile.Decide();
            var optional = profile.FilesWithout > 0;
            var nullable = profile.Nulls > 0 || optional || profile.NonNull == 0;
            var nullReason = optional
                ? string.Create(CultureInfo.InvariantCulture, $"optional and nullable: {profile.FilesWithout} of the files lack it")
                : nullable ? "nullable: the sample has nulls" : "not null: no nulls in the sample (set nullable true if later files may leave it empty)";
            columns.Add(new ColumnDefinition
            {
                Name = unique,
                Type = type,
                Nullable = nullable,
                Optional = optional,
                SourceColumn = source is not null && source != unique ? source : null,
            });
            report.Add(new InferredColumn(unique, source, type, format, nullable, profile.NonNull, profile.Nulls, profile.DistinctOverflow ? null : profile.Distinct.Count, $"{reason}; {nullReason}"));
        }

        return new Built(columns, report);
    }

    /// <summary>A valid identifier from a source's column name: words of camel case apart (<c>OrderId</c> → <c>order_id</c>, <c>HTTPCode</c> → <c>http_code</c>), lower case, other characters as one underscore.</summary>
    /// <param name="sourceName">The name in the source.</param>
    /// <param name="position">The 0-based position, for <c>column_N</c> when nothing of the name is left.</param>
    public static string NameFor(string sourceName, int position)
    {
        if (Identifier.IsValid(sourceName))
        {
            return sourceName;
        }

        var words = new StringBuilder(sourceName.Length + 8);
        for (var i = 0; i < sourceName.Length; i++)
        {
            var c = sourceName[i];
            var previous = i > 0 ? sourceName[i - 1] : '\0';
            var next = i + 1 < sourceName.Length ? sourceName[i + 1] : '\0';
            if (char.IsUpper(c) && (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next))))
            {
                words.Append('_');
            }

            words.Append(c);
        }

        return Identifier.Suggest(words.ToString()) ?? (Identifier.IsValid(words.ToString().ToLowerInvariant()) ? words.ToString().ToLowerInvariant() : string.Create(CultureInfo.InvariantCulture, $"column_{position + 1}"));
    }

    /// <summary>
    /// The source's date and timestamp format lists: each column's format, in column order. The lists apply to every column,
    /// tried in order, so a value another column's format reads first (and differently) is a warning.
    /// </summary>
    private static (IReadOnlyList<string> Dates, IReadOnlyList<string> Timestamps) SourceFormats(List<InferredColumn> columns, List<ColumnProfile> profiles, SourceDefinition source, List<string> warnings)
    {
        var dates = columns.Where(c => c.Type.Kind == ColumnKind.Date).Select(c => c.Format!).Distinct().ToList();
        var stamps = columns.Where(c => c.Type.Kind == ColumnKind.Timestamp).Select(c => c.Format!).Distinct().ToList();
        IReadOnlyList<string> dateList = dates.Count == 0 ? ["yyyy-MM-dd"] : dates;
        IReadOnlyList<string> stampList = stamps.All(f => f.Length == 0)
            ? []
            : [.. stamps.Where(f => f.Length > 0), .. stamps.Contains(string.Empty) ? TypeProbes.ExplicitIsoTimestampFormats : []];
        var combined = new ValueConverter(source with { DateFormats = dateList, TimestampFormats = stampList });
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (column.Type.Kind is not (ColumnKind.Date or ColumnKind.Timestamp) || profiles[i].DistinctOverflow)
            {
                continue;
            }

            var own = new ValueConverter(column.Type.Kind == ColumnKind.Date
                ? source with { DateFormats = [column.Format!] }
                : source with { TimestampFormats = column.Format!.Length == 0 ? [] : [column.Format] });
            var differ = profiles[i].Distinct.FirstOrDefault(v => combined.TryConvert(v, column.Type, out var a) is not null | own.TryConvert(v, column.Type, out var b) is not null || !Equals(a, b));
            if (differ is not null)
            {
                warnings.Add($"{column.Name}: \"{differ}\" reads differently with the formats of all columns ({string.Join(", ", column.Type.Kind == ColumnKind.Date ? dateList : stampList)}) than as {(column.Format!.Length == 0 ? "ISO 8601" : column.Format)} alone; the formats are tried in order for every column, so reorder them or make the files agree.");
            }
        }

        return (dateList, stampList);
    }

    private static List<DefinitionSuggestion> Suggest(DatasetDefinition definition, Draft draft)
    {
        var suggestions = new List<DefinitionSuggestion>();
        var rows = draft.Samples.Sum(s => s.Records);
        var converter = new ValueConverter(definition.Source);
        for (var i = 0; i < draft.Report.Count; i++)
        {
            var column = draft.Report[i];
            var profile = draft.Profiles[i];
            if (!column.Nullable && rows >= 2 && column.DistinctValues == column.Values && column.Values == rows
                && (column.Type.Kind is ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.String || (column.Type.Kind == ColumnKind.Decimal && column.Type.Scale == 0)))
            {
                suggestions.Add(new DefinitionSuggestion(
                    SuggestionKind.Keys, "keys", JsonSerializer.Serialize(new[] { column.Name }),
                    string.Create(CultureInfo.InvariantCulture, $"{column.Name} is unique and never null in the {rows:#,0} sampled records (a key for write.mode merge, or a unique rule)")));
            }
        }

        var temporal = draft.Report.Index().FirstOrDefault(c => c.Item.Type.Kind is ColumnKind.Date or ColumnKind.Timestamp && !c.Item.Nullable && !draft.Profiles[c.Index].DistinctOverflow);
        if (temporal.Item is { } time)
        {
            var days = draft.Profiles[temporal.Index].Distinct
                .Select(v => converter.TryConvert(v, time.Type, out var value) is null ? value : null)
                .Select(v => v switch { DateOnly d => d, DateTime t => DateOnly.FromDateTime(t), _ => (DateOnly?)null })
                .Where(d => d is not null).Select(d => d!.Value).ToList();
            if (days.Count > 0)
            {
                var span = days.Max().DayNumber - days.Min().DayNumber + 1;
                var transform = span <= 92 ? "day" : span <= 3660 ? "month" : "year";
                suggestions.Add(new DefinitionSuggestion(
                    SuggestionKind.Partitioning, "partitioning", $"[{{ \"column\": \"{time.Name}\", \"transform\": \"{transform}\" }}]",
                    string.Create(CultureInfo.InvariantCulture, $"{time.Name} spans {span:#,0} days ({days.Min():yyyy-MM-dd} to {days.Max():yyyy-MM-dd}) in the sample: one {transform} per folder keeps partitions neither tiny nor huge")));
            }
        }

        for (var i = 0; i < draft.Report.Count; i++)
        {
            var column = draft.Report[i];
            if (column.Type.Kind is ColumnKind.String or ColumnKind.Int32 && column.DistinctValues is { } distinct and >= 1 and <= 12 && column.Values >= 20 && distinct * 4 <= column.Values)
            {
                var values = draft.Profiles[i].Distinct.Order(StringComparer.Ordinal).ToList();
                suggestions.Add(new DefinitionSuggestion(
                    SuggestionKind.Rule, "quality.rules", JsonSerializer.Serialize(new { type = "allowed-values", column = column.Name, values }),
                    string.Create(CultureInfo.InvariantCulture, $"{column.Name} has {distinct} distinct values in {column.Values:#,0} sampled values{(column.Nullable ? "; it also has nulls, which the rule lets through (nullable false or a not-null rule would refuse them)" : string.Empty)}")));
            }
        }

        return suggestions;
    }

    /// <summary>Parquet: the file's own types, the nulls counted in the sampled rows.</summary>
    private static async Task<Draft> InferParquetAsync(IReadOnlyList<IngestInput> inputs, DefinitionInferenceOptions options, CancellationToken cancellationToken)
    {
        var decisions = new List<string> { "format parquet: the column types are the file's own (no text to guess from)" };
        var warnings = new List<string>();
        var probes = new TypeProbes(SourceFormat.Parquet, ".", "UTC");
        var profiles = new List<ColumnProfile>();
        var types = new Dictionary<string, (ColumnType Type, string Reason)>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        var maxRecords = options.WholeFile ? long.MaxValue : options.SampleRows;
        for (var f = 0; f < inputs.Count; f++)
        {
            var input = inputs[f];
            var stream = await input.OpenAsync(cancellationToken).ConfigureAwait(false);
            var copy = new MemoryStream();
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            }

            var bytes = copy.ToArray();
            Task<Stream> Open(CancellationToken ct) => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
            List<string> names;
            try
            {
                var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes, writable: false), ParquetColumns.ReadOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
                await using var disposeReader = reader.ConfigureAwait(false);
                names = [];
                foreach (var field in reader.Schema.Fields)
                {
                    if (field is not DataField data)
                    {
                        warnings.Add($"{input.Name}: \"{field.Name}\" is a nested {field.SchemaType.ToString().ToLowerInvariant()} field; the engine reads top-level primitive columns only, so the draft leaves it out.");
                        continue;
                    }

                    names.Add(data.Name);
                    if (!types.ContainsKey(data.Name))
                    {
                        types[data.Name] = ParquetType(data);
                        var profile = new ColumnProfile(data.Name, probes, []) { FilesWithout = f };
                        profiles.Add(profile);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException)
            {
                throw new DataValidationException($"{input.Name}: not a readable Parquet file ({ex.Message}).", ex) { Location = input.Name };
            }

            foreach (var missing in profiles.Where(p => !names.Contains(p.SourceName, StringComparer.Ordinal)))
            {
                missing.FilesWithout++;
            }

            var ordered = profiles.Where(p => names.Contains(p.SourceName, StringComparer.Ordinal)).ToList();
            var rows = new ParquetSourceReader(input.Name, [.. ordered.Select(p => p.SourceName)], Open);
            long records = 0;
            await using (rows.ConfigureAwait(false))
            {
                await rows.OpenAsync(cancellationToken).ConfigureAwait(false);
                var record = new SourceRecord(ordered.Count);
                while (records < maxRecords && await rows.ReadAsync(record, cancellationToken).ConfigureAwait(false))
                {
                    records++;
                    for (var i = 0; i < ordered.Count; i++)
                    {
                        ordered[i].Add(record.GetField(i));
                    }
                }
            }

            samples.Add(new Sample(IngestInput.FromStream(input.Name, Open, bytes.Length), records, bytes.Length, records < maxRecords));
        }

        var built = BuildColumns(profiles, byPosition: false, warnings);
        for (var i = 0; i < profiles.Count; i++)
        {
            var (type, reason) = types[profiles[i].SourceName];
            built.Columns[i] = built.Columns[i] with { Type = type };
            var column = built.Report[i];
            built.Report[i] = column with { Type = type, Format = null, Reason = reason + column.Reason[column.Reason.IndexOf(';', StringComparison.Ordinal)..] };
        }

        return new Draft(new SourceDefinition { Format = SourceFormat.Parquet }, built.Columns, built.Report, profiles, decisions, warnings, samples);
    }

    private static (ColumnType Type, string Reason) ParquetType(DataField field)
    {
        var clr = field.ClrType;
        if (field is DecimalDataField d)
        {
            return d.Precision <= ColumnType.MaxDecimalPrecision && d.Scale <= d.Precision
                ? (ColumnType.Decimal(d.Precision, d.Scale), string.Create(CultureInfo.InvariantCulture, $"the file's decimal({d.Precision},{d.Scale})"))
                : (ColumnType.String, string.Create(CultureInfo.InvariantCulture, $"the file's decimal({d.Precision},{d.Scale}) is wider than the 28 digits a decimal column holds: string"));
        }

        return clr switch
        {
            _ when clr == typeof(bool) => (ColumnType.Boolean, "the file's boolean"),
            _ when clr == typeof(sbyte) || clr == typeof(byte) || clr == typeof(short) || clr == typeof(ushort) || clr == typeof(int) => (ColumnType.Int32, $"the file's {clr.Name}"),
            _ when clr == typeof(uint) || clr == typeof(long) => (ColumnType.Int64, $"the file's {clr.Name}"),
            _ when clr == typeof(ulong) => (ColumnType.Decimal(20, 0), "the file's unsigned 64-bit integer: decimal(20,0) holds every value"),
            _ when clr == typeof(float) => (ColumnType.Float, "the file's float"),
            _ when clr == typeof(double) => (ColumnType.Double, "the file's double"),
            _ when clr == typeof(decimal) => (ColumnType.Decimal(18, 2), "the file's decimal without precision: decimal(18,2)"),
            _ when clr == typeof(DateOnly) => (ColumnType.Date, "the file's date"),
            _ when clr == typeof(DateTime) || clr == typeof(DateTimeOffset) => (ColumnType.Timestamp, "the file's timestamp"),
            _ => (ColumnType.String, $"the file's {clr.Name}: string"),
        };
    }

    /// <summary>
    /// The delimiter that splits the first lines into the same number of fields most often (more than one): quotes are
    /// respected, so a comma inside a quoted field does not count.
    /// </summary>
    internal static (char Delimiter, string Reason) DetectDelimiter(string head)
    {
        var lines = SplitRecords(head).Take(50).ToList();
        if (head.Length == (1 << 16) && lines.Count > 1)
        {
            lines.RemoveAt(lines.Count - 1); // the last may be cut
        }

        (char Delimiter, int Fields, int Agreeing) best = (',', 1, 0);
        foreach (var candidate in Delimiters)
        {
            var counts = lines.Select(l => Fields(l, candidate)).ToList();
            if (counts.Count == 0)
            {
                continue;
            }

            var mode = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            if (mode.Key > 1 && (mode.Count() > best.Agreeing || (mode.Count() == best.Agreeing && mode.Key > best.Fields)))
            {
                best = (candidate, mode.Key, mode.Count());
            }
        }

        return best.Agreeing == 0
            ? (',', "no candidate (, ; tab |) splits the lines: one column")
            : (best.Delimiter, string.Create(CultureInfo.InvariantCulture, $"{best.Agreeing} of the first {lines.Count} records have {best.Fields} fields"));
    }

    private static IEnumerable<string> SplitRecords(string text)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                if (i > start)
                {
                    yield return text[start..i];
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static int Fields(string line, char delimiter)
    {
        var count = 1;
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                count++;
            }
        }

        return count;
    }

    private static string Show(string delimiter) => delimiter == "\\t" ? "tab" : $"\"{delimiter}\"";

    private static string Kebab<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    [GeneratedRegex(@"^\s*-?[0-9]+,[0-9]+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex CommaDecimal();

    [GeneratedRegex(@"^\s*-?[0-9]*\.[0-9]+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex DotDecimal();
}
