using System.ComponentModel;
using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Definitions.Inference;
using Ingest.Engine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

internal sealed class DatasetsInferSettings : GlobalSettings
{
    [CommandArgument(0, "[FILES]")]
    [Description("Data files of one dataset (CSV, JSON Lines or Parquet, one format); their columns are merged by name. None with --connection")]
    public string[] Files { get; init; } = [];

    [CommandOption("--connection <NAME>")]
    [Description("Infer a database source instead of files: the connection name (its connection string from INGEST_ConnectionStrings__<NAME>), with --provider and --table or --query")]
    public string? Connection { get; init; }

    [CommandOption("--provider <PROVIDER>")]
    [Description("With --connection: postgresql, sql-server or sqlite")]
    public string? Provider { get; init; }

    [CommandOption("--table <TABLE>")]
    [Description("With --connection: the table, table or schema.table")]
    public string? Table { get; init; }

    [CommandOption("--query <SQL>")]
    [Description("With --connection: one SELECT whose result is the source (instead of --table)")]
    public string? Query { get; init; }

    [CommandOption("--id <DATASET>")]
    [Description("The dataset id of the draft, domain.name (default: draft.<first file's name>)")]
    public string? Id { get; init; }

    [CommandOption("--source-format <FORMAT>")]
    [Description("csv, json-lines or parquet (default: from the file extension)")]
    public string? SourceFormat { get; init; }

    [CommandOption("--sample-rows <N>")]
    [Description("Records read per file at most")]
    [DefaultValue(10_000)]
    public int SampleRows { get; init; } = 10_000;

    [CommandOption("--sample-bytes <N>")]
    [Description("Bytes read per text file at most (cut after the last whole line)")]
    [DefaultValue(16L << 20)]
    public long SampleBytes { get; init; } = 16L << 20;

    [CommandOption("--all")]
    [Description("Read every record of every file (ignores --sample-rows and --sample-bytes)")]
    public bool All { get; init; }

    [CommandOption("--time-zone <ZONE>")]
    [Description("The IANA time zone of timestamps without an offset, written to source.timeZone")]
    [DefaultValue("UTC")]
    public string TimeZone { get; init; } = "UTC";

    [CommandOption("-o|--output <FILE>")]
    [Description("Write the draft definition to this file instead of standard output")]
    public string? Output { get; init; }

    [CommandOption("--report <FILE>")]
    [Description("Write the report (decisions, reasons, suggestions, what the draft rejects) to this file instead of standard error")]
    public string? Report { get; init; }

    public override ValidationResult Validate() => (SampleRows, SampleBytes) switch
    {
        ( < 1, _) => ValidationResult.Error("--sample-rows must be 1 or more."),
        (_, < 1024) => ValidationResult.Error("--sample-bytes must be 1024 or more."),
        _ when Connection is null && Files.Length == 0 => ValidationResult.Error("Give the data files to infer from, or --connection with --provider and --table (a database source)."),
        _ when Connection is not null && Files.Length > 0 => ValidationResult.Error("Give either data files or --connection (a database source), not both."),
        _ when Connection is not null && (Provider is null || (Table is null) == (Query is null)) => ValidationResult.Error("--connection needs --provider (postgresql, sql-server or sqlite) and one of --table or --query."),
        _ => ValidationResult.Success(),
    };
}

/// <summary>
/// <c>ingest datasets infer</c>: drafts a definition from data files (<see cref="DefinitionInference"/>): the definition JSON
/// to standard output or <c>--output</c>, the report to standard error or <c>--report</c>. Registers nothing.
/// </summary>
internal sealed class DatasetsInferCommand(CliConsoles consoles) : AsyncCommand<DatasetsInferSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsInferSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Connection is { } connection)
        {
            var provider = settings.Provider switch
            {
                "postgresql" => DatabaseProvider.Postgresql,
                "sql-server" => DatabaseProvider.SqlServer,
                "sqlite" => DatabaseProvider.Sqlite,
                var other => throw new CliException($"--provider {other} is not a database Ingest reads: give postgresql, sql-server or sqlite."),
            };
            var database = new DatabaseSourceSettings { Connection = connection, Provider = provider, Table = settings.Table, Query = settings.Query };
            var id = settings.Id is null ? DatasetId.Create("draft", DefinitionInference.NameFor(settings.Table?.Split('.')[^1] ?? "query", 0)) : Arguments.DatasetId(settings.Id);
            var fromDatabase = await Ingest.Database.DatabaseDefinitionInference.InferAsync(id, database, DatabaseExtractors.Options(), settings.SampleRows, cancellationToken);
            await WriteAsync(fromDatabase, settings, settings.Table ?? "the query", cancellationToken);
            return ExitCodes.Success;
        }

        var files = settings.Files.Select(f => Arguments.ExistingFile(f, "Data file")).ToList();
        var options = new DefinitionInferenceOptions
        {
            Id = settings.Id is null ? null : Arguments.DatasetId(settings.Id),
            Format = settings.SourceFormat switch
            {
                null => null,
                "csv" => Definitions.SourceFormat.Csv,
                "json-lines" => Definitions.SourceFormat.JsonLines,
                "parquet" => Definitions.SourceFormat.Parquet,
                var other => throw new CliException($"--source-format {other} is not a format inference reads: give csv, json-lines or parquet."),
            },
            SampleRows = settings.SampleRows,
            SampleBytes = settings.SampleBytes,
            WholeFile = settings.All,
            TimeZone = settings.TimeZone,
        };

        if (options.Format is null && files.FirstOrDefault(f => DefinitionInference.FormatFromName(f) is null) is { } unknown)
        {
            throw new CliException($"{Path.GetFileName(unknown)}: the format cannot be told from the extension; add --source-format csv, json-lines or parquet.");
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out _) is false)
        {
            throw new CliException($"--time-zone {settings.TimeZone} is not a time zone this machine knows; give an IANA name such as Europe/Berlin.");
        }

        InferredDefinition inferred;
        try
        {
            inferred = await DefinitionInference.InferAsync([.. files.Select(IngestInput.FromFile)], options, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message.Split(" (Parameter", 2)[0]);
        }

        await WriteAsync(inferred, settings, $"--against {settings.Files[0]} ", cancellationToken);
        return ExitCodes.Success;
    }

    private async Task WriteAsync(InferredDefinition inferred, DatasetsInferSettings settings, string against, CancellationToken cancellationToken)
    {
        var json = DatasetDefinitionSerializer.Serialize(inferred.Definition) + Environment.NewLine;
        var report = inferred.Report.ToString();
        if (settings.Output is { } output)
        {
            await File.WriteAllTextAsync(output, json, cancellationToken);
        }
        else
        {
            consoles.Out.WriteRaw(json);
        }

        if (settings.Report is { } reportFile)
        {
            await File.WriteAllTextAsync(reportFile, report, cancellationToken);
        }
        else
        {
            consoles.Error.WriteRaw(report);
        }

        var next = settings.Output ?? "<draft.json>";
        consoles.Error.WriteRaw(
            $"Drafted {inferred.Definition.Id} ({inferred.Definition.Columns.Count} columns, {inferred.Report.RecordsRejected:#,0} sampled records the draft would reject){(settings.Output is null ? string.Empty : $" into {settings.Output}")}. "
            + $"Review it, then: ingest datasets validate {next} {(settings.Connection is null ? against : string.Empty)}&& ingest datasets add {next}{Environment.NewLine}");
    }
}
