using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingest.Definitions;

/// <summary>Checks a definition for everything JSON typing cannot: names, references between parts, ranges.</summary>
internal static class DefinitionValidator
{
    // Worker types of a Spark (glueetl) job: G.025X is for streaming jobs and Z.2X for Ray jobs, which StartJobRun
    // refuses for the ingest job.
    private static readonly HashSet<string> GlueWorkerTypes = ["G.1X", "G.2X", "G.4X", "G.8X"];

    // The version the ingest job is deployed with (glue_version in terraform/glue_ingest_job/modules/glue_job/main.tf).
    private const string DeployedGlueVersion = "5.0";

    /// <summary>Validates a definition whose rule types and source formats must be built in.</summary>
    public static IReadOnlyList<DefinitionError> Validate(DatasetDefinition d) => Validate(d, IngestExtensions.None);

    /// <summary>
    /// Validates a definition whose custom rule types and source formats must be registered in <paramref name="extensions"/>
    /// (each custom rule is created once, to check its options), or, when it is <see langword="null"/>, need only be well-formed
    /// names (a registry storing a definition: the host that runs it checks them).
    /// </summary>
    public static IReadOnlyList<DefinitionError> Validate(DatasetDefinition d, IngestExtensions? extensions)
    {
        var errors = new List<DefinitionError>();
        void Error(string path, string message) => errors.Add(new DefinitionError(path, message));

        if (d.Id.Domain is null)
        {
            Error("$.id", "is required, in the form domain.name (for example sales.orders).");
        }

        // JSON allows null inside lists whatever the element type says; the checks below assume none.
        if (NullElementErrors(d) is { Count: > 0 } nulls)
        {
            errors.AddRange(nulls);
            return errors;
        }

        ValidateSource(d.Source, d, Error);
        DatabaseSourceValidator.Validate(d, Error);

        if (d.Columns is null || d.Columns.Count == 0)
        {
            Error("$.columns", "at least one column is required.");
            return errors;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < d.Columns.Count; i++)
        {
            var c = d.Columns[i];
            var path = $"$.columns[{i}]";
            if (!Identifier.IsValid(c.Name))
            {
                Error(path + ".name", ColumnNameError(c));
            }
            else if (!names.Add(c.Name))
            {
                Error(path + ".name", $"column '{c.Name}' is defined twice.");
            }

            if (c.SourceColumn is { Length: 0 })
            {
                Error(path + ".sourceColumn", "must not be empty; omit it to use the column name.");
            }

            if (c.Optional && !c.Nullable)
            {
                Error(path + ".optional", $"column '{c.Name}' cannot be optional and \"nullable\": false: the rows of a file without it would all be rejected.");
            }
        }

        for (var i = 0; i < d.Keys.Count; i++)
        {
            var column = d.FindColumn(d.Keys[i]);
            if (column is null)
            {
                Error($"$.keys[{i}]", $"'{d.Keys[i]}' is not a column of the schema.");
            }
            else if (column.Nullable)
            {
                Error($"$.keys[{i}]", $"key column '{column.Name}' must be declared \"nullable\": false.");
            }
        }

        ValidatePartitioning(d, names, Error);
        ValidateWrite(d, Error);
        ValidateQuality(d, Error);
        ValidateExtensions(d, extensions, Error);
        ValidateCatalogAndEngine(d, Error);
        return errors;
    }

    private static List<DefinitionError> NullElementErrors(DatasetDefinition d)
    {
        var errors = new List<DefinitionError>();
        void Check<T>(IReadOnlyList<T>? list, string path, string expected)
        {
            for (var i = 0; list is not null && i < list.Count; i++)
            {
                if (list[i] is null)
                {
                    errors.Add(new DefinitionError($"{path}[{i}]", $"must be {expected}, not null."));
                }
            }
        }

        Check(d.Columns, "$.columns", "a column object");
        Check(d.Keys, "$.keys", "a column name");
        Check(d.Partitioning, "$.partitioning", "a partition object");
        Check(d.Quality.Rules, "$.quality.rules", "a rule object");
        for (var i = 0; i < d.Quality.Rules.Count; i++)
        {
            if (d.Quality.Rules[i] is { } rule)
            {
                Check(rule.Columns, $"$.quality.rules[{i}].columns", "a column name");
                Check(rule.Values, $"$.quality.rules[{i}].values", "a string (a value in invariant form)");
            }
        }

        if (d.Source is { } s)
        {
            Check(s.Csv.Columns, "$.source.csv.columns", "a source column name");
            Check(s.NullMarkers, "$.source.nullMarkers", "a string");
            Check(s.DateFormats, "$.source.dateFormats", "a format string");
            Check(s.TimestampFormats, "$.source.timestampFormats", "a format string");
        }

        return errors;
    }

    private static void ValidateSource(SourceDefinition? s, DatasetDefinition d, Action<string, string> error)
    {
        if (s is null)
        {
            error("$.source", "is required.");
            return;
        }

        if (UnescapeChar(s.Csv.Delimiter) is not { } delimiter)
        {
            error("$.source.csv.delimiter", $"'{s.Csv.Delimiter}' must be exactly one character (use \\t for tab).");
        }
        else if (UnescapeChar(s.Csv.Quote) is not { } quote)
        {
            error("$.source.csv.quote", $"'{s.Csv.Quote}' must be exactly one character.");
        }
        else if (delimiter == quote || delimiter is '\r' or '\n' || quote is '\r' or '\n')
        {
            error("$.source.csv", "delimiter and quote must differ and must not be line breaks.");
        }

        if (s.Csv.MaxQuotedFieldLines is < 1 or > 1_000_000)
        {
            error("$.source.csv.maxQuotedFieldLines", string.Create(CultureInfo.InvariantCulture, $"{s.Csv.MaxQuotedFieldLines} is out of range: expected 1 to 1000000."));
        }

        var csvColumns = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < s.Csv.Columns.Count; i++)
        {
            if (string.IsNullOrEmpty(s.Csv.Columns[i]) || !csvColumns.Add(s.Csv.Columns[i]))
            {
                error($"$.source.csv.columns[{i}]", "column names by position must be non-empty and distinct.");
            }
        }

        if (s.Format == SourceFormat.Csv && csvColumns.Count > 0 && d.Columns is not null)
        {
            for (var i = 0; i < d.Columns.Count; i++)
            {
                if (!csvColumns.Contains(d.Columns[i].EffectiveSourceColumn))
                {
                    error($"$.columns[{i}]", $"source column '{d.Columns[i].EffectiveSourceColumn}' is not among source.csv.columns.");
                }
            }
        }

        try
        {
            _ = TextEncodings.Resolve(s.Encoding);
        }
        catch (ArgumentException)
        {
            error("$.source.encoding", $"'{s.Encoding}' is not a supported encoding: use utf-8, utf-16, utf-16be, latin1 (iso-8859-1), ascii or windows-1252.");
        }

        if (s.DateFormats.Count == 0 || s.DateFormats.Any(string.IsNullOrWhiteSpace))
        {
            error("$.source.dateFormats", "needs at least one non-empty format such as yyyy-MM-dd.");
        }

        if (s.TimestampFormats.Any(string.IsNullOrWhiteSpace))
        {
            error("$.source.timestampFormats", "formats must be non-empty (leave the list empty for ISO 8601).");
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            error("$.source.timeZone", $"'{s.TimeZone}' is not a known time zone: use an IANA name such as UTC or Europe/Berlin.");
        }

        if (s.DecimalSeparator is not ("." or ","))
        {
            error("$.source.decimalSeparator", $"'{s.DecimalSeparator}' must be \".\" or \",\".");
        }
        else if (s.GroupSeparator is { } group && (group.Length != 1 || group == s.DecimalSeparator))
        {
            error("$.source.groupSeparator", "must be one character and differ from the decimal separator.");
        }
    }

    private static void ValidatePartitioning(DatasetDefinition d, HashSet<string> columnNames, Action<string, string> error)
    {
        var partitionNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < d.Partitioning.Count; i++)
        {
            var p = d.Partitioning[i];
            var path = $"$.partitioning[{i}]";
            ColumnDefinition? column = null;
            if (p.Transform != PartitionTransform.IngestDate)
            {
                column = p.Column is null ? null : d.FindColumn(p.Column);
                if (column is null)
                {
                    error(path + ".column", $"'{p.Column}' is not a column of the schema.");
                    continue;
                }
            }

            switch (p.Transform)
            {
                case PartitionTransform.Identity when column!.Type.Kind is ColumnKind.Float or ColumnKind.Double or ColumnKind.Timestamp or ColumnKind.Decimal:
                    error(path + ".transform", $"column '{column.Name}' is {column.Type}; partition on it with day, month or year, or choose a string, integer, boolean or date column.");
                    break;
                case PartitionTransform.Year or PartitionTransform.Month or PartitionTransform.Day when column!.Type.Kind is not (ColumnKind.Date or ColumnKind.Timestamp):
                    error(path + ".transform", $"{p.Transform.ToString().ToLowerInvariant()} needs a date or timestamp column; '{column.Name}' is {column.Type}.");
                    break;
            }

            var name = p.EffectiveName;
            if (!Identifier.IsValid(name))
            {
                error(path + ".name", $"'{name}' is not a valid partition name: use {Identifier.Pattern}.");
            }
            else if (!partitionNames.Add(name))
            {
                error(path + ".name", $"partition '{name}' is defined twice.");
            }
            else if (p.Transform != PartitionTransform.Identity && columnNames.Contains(name))
            {
                error(path + ".name", $"partition '{name}' clashes with a column of the same name; give it another name.");
            }
        }
    }

    private static void ValidateWrite(DatasetDefinition d, Action<string, string> error)
    {
        if (d.Write.Mode == WriteMode.Merge && d.Keys.Count == 0)
        {
            error("$.write.mode", "merge needs keys: list the key columns in $.keys.");
        }

        if (d.Write.TargetFileSizeMb is < 1 or > 4096)
        {
            error("$.write.targetFileSizeMb", $"{d.Write.TargetFileSizeMb} is out of range: expected 1 to 4096.");
        }

        if (d.Write.RowGroupSizeMb is < 1 or > 1024)
        {
            error("$.write.rowGroupSizeMb", $"{d.Write.RowGroupSizeMb} is out of range: expected 1 to 1024.");
        }
    }

    private static void ValidateQuality(DatasetDefinition d, Action<string, string> error)
    {
        if (d.Quality.MaxRejectRatio is < 0 or > 1 || double.IsNaN(d.Quality.MaxRejectRatio))
        {
            error("$.quality.maxRejectRatio", $"{d.Quality.MaxRejectRatio.ToString(CultureInfo.InvariantCulture)} is out of range: expected 0 to 1.");
        }

        for (var i = 0; i < d.Quality.Rules.Count; i++)
        {
            var r = d.Quality.Rules[i];
            var path = $"$.quality.rules[{i}]";
            if (!r.Type.IsBuiltIn)
            {
                ValidateCustomRule(d, r, path, error);
                continue;
            }

            if (r.Options is not null)
            {
                error(path + ".options", $"options are for custom rules; a {r.Type} rule has members of its own (min, max, pattern, values): remove options.");
            }

            if (r.Type == QualityRuleType.Unique)
            {
                var columns = r.Columns.Count > 0 ? r.Columns : r.Column is null ? [] : [r.Column];
                if (columns.Count == 0)
                {
                    error(path + ".columns", "unique needs columns (or column).");
                }

                foreach (var name in columns.Where(n => d.FindColumn(n) is null))
                {
                    error(path + ".columns", $"'{name}' is not a column of the schema.");
                }

                continue;
            }

            var column = r.Column is null ? null : d.FindColumn(r.Column);
            if (column is null)
            {
                error(path + ".column", r.Column is null ? "is required." : $"'{r.Column}' is not a column of the schema.");
                continue;
            }

            switch (r.Type)
            {
                case var t when t == QualityRuleType.Range:
                    if (r.Min is null && r.Max is null)
                    {
                        error(path, "range needs min, max or both.");
                    }

                    if (column.Type.Kind is ColumnKind.String or ColumnKind.Boolean)
                    {
                        error(path + ".column", $"range needs a numeric, date or timestamp column; '{column.Name}' is {column.Type}.");
                        break;
                    }

                    foreach (var (bound, value) in new[] { ("min", r.Min), ("max", r.Max) })
                    {
                        if (value is not null && !InvariantValues.TryParse(value, column.Type, out _))
                        {
                            error($"{path}.{bound}", $"'{value}' is not a {column.Type} value in invariant form.");
                        }
                    }

                    break;
                case var t when t == QualityRuleType.Regex:
                    if (string.IsNullOrEmpty(r.Pattern))
                    {
                        error(path + ".pattern", "regex needs a pattern.");
                    }
                    else
                    {
                        try
                        {
                            _ = new Regex(r.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                        }
                        catch (ArgumentException ex)
                        {
                            error(path + ".pattern", $"is not a valid regular expression: {ex.Message}");
                        }
                    }

                    break;
                case var t when t == QualityRuleType.AllowedValues:
                    if (r.Values.Count == 0)
                    {
                        error(path + ".values", "allowed-values needs at least one value.");
                    }

                    for (var v = 0; v < r.Values.Count; v++)
                    {
                        if (!InvariantValues.TryParse(r.Values[v], column.Type, out _))
                        {
                            error($"{path}.values[{v}]", $"'{r.Values[v]}' is not a {column.Type} value in invariant form.");
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>A custom rule reads the columns it names (column or columns), takes its settings in options, and none of the built-in rules' members.</summary>
    private static void ValidateCustomRule(DatasetDefinition d, QualityRule r, string path, Action<string, string> error)
    {
        if (r.Column is not null && r.Columns.Count > 0)
        {
            error(path + ".columns", "give column or columns, not both.");
        }

        var columns = r.Columns.Count > 0 ? r.Columns : r.Column is null ? [] : [r.Column];
        if (columns.Count == 0)
        {
            error(path + ".column", $"a custom rule ({r.Type}) reads the columns it names: give column (or columns).");
        }

        foreach (var name in columns.Where(n => d.FindColumn(n) is null))
        {
            error(path + (r.Columns.Count > 0 ? ".columns" : ".column"), $"'{name}' is not a column of the schema.");
        }

        foreach (var (member, present) in new[] { ("min", r.Min is not null), ("max", r.Max is not null), ("pattern", r.Pattern is not null), ("values", r.Values.Count > 0) })
        {
            if (present)
            {
                error($"{path}.{member}", $"is a member of the built-in rules; a custom rule ({r.Type}) takes its settings in options.");
            }
        }

        if (r.Options is { } options && options.ValueKind is not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null))
        {
            error(path + ".options", $"must be a JSON object, not {options.ValueKind.ToString().ToLowerInvariant()}.");
        }
    }

    /// <summary>
    /// Refuses rule types and source formats that <paramref name="extensions"/> does not know, naming those it does, and
    /// creates each custom rule and the custom format's reader once so that options they cannot take are refused now, not
    /// at the first run.
    /// </summary>
    private static void ValidateExtensions(DatasetDefinition d, IngestExtensions? extensions, Action<string, string> error)
    {
        if (d.Source is { Options: not null } withOptions && withOptions.Format.IsBuiltIn)
        {
            error("$.source.options", $"options are for custom formats; {withOptions.Format} has settings of its own (csv, encoding, nullMarkers, …): remove options.");
        }
        else if (d.Source?.Options is { ValueKind: not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null) } sourceOptions)
        {
            error("$.source.options", $"must be a JSON object, not {sourceOptions.ValueKind.ToString().ToLowerInvariant()}.");
        }

        if (d.Source is { } source && !source.Format.IsBuiltIn && d.Engine.Kind == EngineKind.Glue)
        {
            error("$.source.format", $"'{source.Format}' is a custom format, read by a reader of the .NET engine only; the Glue job reads csv, json-lines and parquet: set engine.kind to local.");
        }

        if (extensions is null || d.Columns is null || d.Source is null)
        {
            return;
        }

        if (!extensions.Supports(d.Source.Format))
        {
            error("$.source.format", NotRegistered(d.Source.Format.Name, "source format", "formats", extensions.SourceFormats.Select(f => f.Name), $"services.AddIngestSourceFormat<TReader>(\"{d.Source.Format}\") or IngestExtensionsBuilder.AddSourceFormat"));
        }
        else if (!d.Source.Format.IsBuiltIn && d.Source.Options is null or { ValueKind: System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null })
        {
            ValidateSourceOptions(d, extensions, error);
        }

        for (var i = 0; i < d.Quality.Rules.Count; i++)
        {
            var rule = d.Quality.Rules[i];
            var path = $"$.quality.rules[{i}]";
            if (rule.Type.IsBuiltIn)
            {
                continue;
            }

            if (d.Engine.Kind == EngineKind.Glue)
            {
                error(path + ".type", $"'{rule.Type}' is a custom rule, checked by the .NET engine only; the Glue job checks the built-in rules: set engine.kind to local.");
            }

            if (!extensions.Supports(rule.Type))
            {
                error(path + ".type", NotRegistered(rule.Type.Name, "rule type", "types", extensions.RuleTypes.Select(t => t.Name), $"services.AddIngestRule<TRule>(\"{rule.Type}\") or IngestExtensionsBuilder.AddQualityRule"));
                continue;
            }

            var columns = rule.Columns.Count > 0 ? rule.Columns : rule.Column is null ? [] : [rule.Column];
            if (columns.Count == 0 || columns.Any(n => d.FindColumn(n) is null))
            {
                continue; // reported above
            }

            try
            {
                _ = extensions.CreateRule(new Quality.QualityRuleContext(d, i));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
            {
                error(path + ".options", $"rule {rule.DisplayName} refused its settings: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// Creates the custom format's reader over a context without an input (<c>SourceReaderContext.ForValidation</c>): what
    /// its constructor refuses, and each problem its <see cref="Sources.ISourceOptionsValidator.ValidateOptions"/> returns, is one error
    /// at <c>$.source.options</c> (or the member) naming the dataset, the value and what is expected.
    /// </summary>
    private static void ValidateSourceOptions(DatasetDefinition d, IngestExtensions extensions, Action<string, string> error)
    {
        var format = d.Source.Format;
        Sources.ISourceReader? reader;
        try
        {
            reader = extensions.CreateReader(Sources.SourceReaderContext.ForValidation(d));
        }
        catch (ExtensionOptionsException ex)
        {
            error(ex.Member is null ? "$.source.options" : "$.source.options" + (ex.Member.StartsWith('[') ? ex.Member : "." + ex.Member), $"dataset {d.Id}: source format '{format}' cannot read its options: {ex.Message}");
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            error("$.source.options", $"dataset {d.Id}: source format '{format}' refused its options: {ex.Message}");
            return;
        }

        if (reader is null)
        {
            return;
        }

        try
        {
            if (reader is Sources.ISourceOptionsValidator validator)
            {
                foreach (var problem in validator.ValidateOptions() ?? [])
                {
                    var member = problem.Member.TrimStart('.');
                    error("$.source.options" + (member.Length == 0 || member.StartsWith('[') ? member : "." + member), $"dataset {d.Id}: {problem}.");
                }
            }
        }
        finally
        {
            // Never opened: disposing has nothing to wait for.
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string NotRegistered(string name, string what, string plural, IEnumerable<string> registered, string register)
    {
        var names = registered.ToList();
        var closest = Suggestions.Closest(name, names) is { } c ? $" Did you mean '{c}'?" : string.Empty;
        return $"'{name}' is not a registered {what}; the registered {plural} are {string.Join(", ", names)}.{closest} Register it ({register}) or fix the name.";
    }

    private static void ValidateCatalogAndEngine(DatasetDefinition d, Action<string, string> error)
    {
        if (d.Catalog.Database is { } database && !Identifier.IsValid(database))
        {
            error("$.catalog.database", $"'{database}' is not a valid database name: use {Identifier.Pattern}.");
        }

        if (d.Catalog.Table is { } table && !Identifier.IsValid(table))
        {
            error("$.catalog.table", $"'{table}' is not a valid table name: use {Identifier.Pattern}.");
        }

        if (string.IsNullOrEmpty(d.Catalog.Workgroup) || d.Catalog.Workgroup.Length > 128
            || !d.Catalog.Workgroup.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            error("$.catalog.workgroup", $"'{d.Catalog.Workgroup}' is not a valid Athena workgroup name (letters, digits, '.', '_', '-', at most 128).");
        }

        if (d.Engine.MemoryBudgetMb is < 16 or > 65536)
        {
            error("$.engine.memoryBudgetMb", $"{d.Engine.MemoryBudgetMb} is out of range: expected 16 to 65536.");
        }

        var maintenance = d.Table.Maintenance;
        Range("$.table.maintenance.snapshotRetentionDays", maintenance.SnapshotRetentionDays, 0, 3650);
        Range("$.table.maintenance.minSnapshotsToKeep", maintenance.MinSnapshotsToKeep, 1, 10000);
        Range("$.table.maintenance.orphanGraceHours", maintenance.OrphanGraceHours, 1, 8760);
        Range("$.table.maintenance.compactionMinFiles", maintenance.CompactionMinFiles, 2, 100000);
        if (maintenance.SmallFileSizeMb is { } small)
        {
            Range("$.table.maintenance.smallFileSizeMb", small, 1, 4096);
        }

        void Range(string path, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                error(path, $"{value} is out of range: expected {min} to {max}.");
            }
        }

        if (d.Engine.Kind == EngineKind.Glue)
        {
            ValidateGlueSupport(d, error);
        }

        var glue = d.Engine.Glue;
        if (!GlueWorkerTypes.Contains(glue.WorkerType))
        {
            var why = glue.WorkerType switch
            {
                "G.025X" => " (G.025X is for Glue streaming jobs only)",
                "Z.2X" => " (Z.2X is for Glue Ray jobs only)",
                _ => string.Empty,
            };
            error("$.engine.glue.workerType", $"'{glue.WorkerType}' is not a worker type of the Glue Spark (glueetl) ingest job{why}: expected one of {string.Join(", ", GlueWorkerTypes)}.");
        }

        if (glue.NumberOfWorkers is < 2 or > 1000)
        {
            error("$.engine.glue.numberOfWorkers", $"{glue.NumberOfWorkers} is out of range: expected 2 to 1000.");
        }

        if (glue.TimeoutMinutes is < 1 or > 2880)
        {
            error("$.engine.glue.timeoutMinutes", $"{glue.TimeoutMinutes} is out of range: expected 1 to 2880.");
        }

        if (glue.MaxRetries is < 0 or > 10)
        {
            error("$.engine.glue.maxRetries", $"{glue.MaxRetries} is out of range: expected 0 to 10.");
        }

        if (string.IsNullOrWhiteSpace(glue.GlueVersion))
        {
            error("$.engine.glue.glueVersion", "is required (for example 5.0).");
        }
    }

    /// <summary>
    /// Refuses, when the dataset is added, what the Glue job (terraform/glue_ingest_job/glue_job.py) cannot honour yet,
    /// instead of failing its runs: docs/aws-architecture.md lists the features by engine.
    /// </summary>
    private static void ValidateGlueSupport(DatasetDefinition d, Action<string, string> error)
    {
        const string Local = "or set engine.kind to local (the in-process engine does it)";
        // Iceberg tables take every write mode on Glue (MERGE INTO on the keys); a Hive table is merged only in-process.
        if (d.Write.Mode == WriteMode.Merge && d.Table.Format != TableFormat.Iceberg)
        {
            error("$.write.mode", $"the Glue job merges Iceberg tables only (MERGE INTO), not the files of a Hive table: set table.format to iceberg, {Local}.");
        }

        if (d.Source.Database is { Provider: DatabaseProvider.Sqlite })
        {
            error("$.source.database.provider", $"the Glue job reads postgresql and sql-server over JDBC, not sqlite (a file on the machine that runs the in-process engine): move the data to one of those, {Local}.");
        }

        if (d.Write.TargetFileSizeMb != new WriteSettings().TargetFileSizeMb)
        {
            error("$.write.targetFileSizeMb", $"the Glue job does not size its files (Spark writes one file per task and partition): remove write.targetFileSizeMb, {Local}.");
        }

        if (d.Engine.Glue.GlueVersion is { } version && !string.IsNullOrWhiteSpace(version) && version != DeployedGlueVersion)
        {
            error("$.engine.glue.glueVersion", $"the Glue job is deployed as Glue {DeployedGlueVersion} (terraform/glue_ingest_job/modules/glue_job) and a job run cannot choose another version: set glueVersion to {DeployedGlueVersion} or remove it, {Local}.");
        }
    }

    /// <summary>Why a column name is refused, with a name that would do and the <c>sourceColumn</c> that keeps the source's own.</summary>
    private static string ColumnNameError(ColumnDefinition c)
    {
        var text = c.Name ?? string.Empty;
        var suggestion = Identifier.Suggest(text);
        var rule = $"'{text}' is not a valid column name: use lower-case letters, digits and underscores, starting with a letter, at most 64 characters ({Identifier.Pattern})";
        return c.SourceColumn is null && suggestion is not null
            ? $"{rule}; for a source column named like that, write \"name\": \"{suggestion}\", \"sourceColumn\": \"{text}\"."
            : suggestion is not null ? $"{rule}, such as '{suggestion}'." : $"{rule}.";
    }

    internal static char? UnescapeChar(string? value) => value switch
    {
        "\\t" or "\t" => '\t',
        { Length: 1 } => value[0],
        _ => null,
    };
}
