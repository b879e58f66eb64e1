using System.ComponentModel;
using Ingest.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Snapshots;

/// <summary>How <c>ingest snapshots</c> prints the history.</summary>
internal enum SnapshotsOutputFormat
{
    /// <summary>A table, newest first.</summary>
    Table,

    /// <summary>One JSON object per snapshot, newest first.</summary>
    Json,
}

internal sealed class SnapshotsSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name (an Iceberg table)")]
    public string Dataset { get; init; } = string.Empty;

    [CommandOption("-n|--limit <N>")]
    [Description("The number of snapshots to show, newest first")]
    [DefaultValue(20)]
    public int Limit { get; init; } = 20;

    [CommandOption("--format <FORMAT>")]
    [Description("table or json (one object per line)")]
    [DefaultValue(SnapshotsOutputFormat.Table)]
    public SnapshotsOutputFormat Format { get; init; } = SnapshotsOutputFormat.Table;

    public override ValidationResult Validate()
        => Limit < 1 ? ValidationResult.Error("--limit must be 1 or more.") : ValidationResult.Success();
}

internal sealed class RollbackSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name (an Iceberg table)")]
    public string Dataset { get; init; } = string.Empty;

    [CommandOption("--to <SNAPSHOT_OR_TIME>")]
    [Description("The snapshot to make current: its id (ingest snapshots lists them), an instant (the snapshot current then), or previous (the one before the current: undo the last run)")]
    public string To { get; init; } = string.Empty;

    public override ValidationResult Validate()
        => string.IsNullOrWhiteSpace(To) ? ValidationResult.Error("--to is required: the snapshot id (or instant) to roll back to.") : ValidationResult.Success();
}
