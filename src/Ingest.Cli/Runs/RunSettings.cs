using System.ComponentModel;
using Ingest.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Runs;

/// <summary>Where a run's work happens.</summary>
internal enum RunEngine
{
    /// <summary>In this process (the default).</summary>
    Local,

    /// <summary>The deployed Step Functions state machine and its Glue job (<c>--target aws</c> only).</summary>
    Glue,
}

internal sealed class RunSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name")]
    public string Dataset { get; init; } = string.Empty;

    [CommandArgument(1, "[FILES]")]
    [Description("The input files (CSV, JSON Lines or Parquet, as the definition says), ingested as one run. None for a database source: it is extracted (connection string from INGEST_ConnectionStrings__<name>); files given for a database source replay raw extracts. With --engine glue they are uploaded to the dataset's landing folder first (optional: the Glue job ingests whatever waits there)")]
    public string[] Files { get; init; } = [];

    [CommandOption("--engine <ENGINE>")]
    [Description("local (in this process) or glue (with --target aws: start the deployed state machine, which runs the Glue job, and follow it)")]
    [DefaultValue(RunEngine.Local)]
    public RunEngine Engine { get; init; } = RunEngine.Local;

    [CommandOption("--force")]
    [Description("Ingest inputs again even if the same bytes were ingested before")]
    public bool Force { get; init; }

    [CommandOption("--version <N>")]
    [Description("Use this definition version instead of the latest")]
    public int? Version { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("text (a summary; a progress bar on a terminal) or json (one object, no progress bar: runId, dataset, status, rows, inputs, files, partitions, reject reasons, …)")]
    [DefaultValue(DocumentOutputFormat.Text)]
    public DocumentOutputFormat Format { get; init; } = DocumentOutputFormat.Text;

    public override ValidationResult Validate() => (Version, Engine, Files.Length) switch
    {
        ( < 1, _, _) => ValidationResult.Error("--version must be 1 or more."),
        (not null, RunEngine.Glue, _) => ValidationResult.Error("--version applies to --engine local only: the state machine runs the latest registered version."),
        _ => ValidationResult.Success(),
    };
}

internal sealed class RunsSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name")]
    public string Dataset { get; init; } = string.Empty;

    [CommandOption("-n|--limit <N>")]
    [Description("The number of runs to show, newest first")]
    [DefaultValue(20)]
    public int Limit { get; init; } = 20;

    [CommandOption("--format <FORMAT>")]
    [Description("table, json (one object per run and line) or csv")]
    [DefaultValue(ListOutputFormat.Table)]
    public ListOutputFormat Format { get; init; } = ListOutputFormat.Table;

    public override ValidationResult Validate()
        => Limit < 1 ? ValidationResult.Error("--limit must be 1 or more.") : ValidationResult.Success();
}

/// <summary>How <c>ingest rejects</c> prints rows.</summary>
internal enum RejectsOutputFormat
{
    /// <summary>One line per row: file, line, reason.</summary>
    Text,

    /// <summary>One JSON object per line (file, line, reason, rawRecord, values).</summary>
    Json,
}

internal sealed class RejectsSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name")]
    public string Dataset { get; init; } = string.Empty;

    [CommandOption("--run <RUN_ID>")]
    [Description("The run whose rejected rows to show (default: the newest run that rejected rows, failed or not)")]
    public string? Run { get; init; }

    [CommandOption("-n|--limit <N>")]
    [Description("The number of rows to show")]
    [DefaultValue(20)]
    public int Limit { get; init; } = 20;

    [CommandOption("--format <FORMAT>")]
    [Description("text (one line per row) or json (one object per line, every value)")]
    [DefaultValue(RejectsOutputFormat.Text)]
    public RejectsOutputFormat Format { get; init; } = RejectsOutputFormat.Text;

    public override ValidationResult Validate()
        => Limit < 1 ? ValidationResult.Error("--limit must be 1 or more.") : ValidationResult.Success();
}
