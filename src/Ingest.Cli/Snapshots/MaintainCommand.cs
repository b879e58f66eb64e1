using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingest.Catalog;
using Ingest.Cli.Hosting;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Snapshots;

/// <summary>How <c>ingest maintain</c> prints its report.</summary>
internal enum MaintainOutputFormat
{
    /// <summary>Lines of text.</summary>
    Text,

    /// <summary>One JSON object.</summary>
    Json,
}

internal sealed class MaintainSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name (an Iceberg table)")]
    public string Dataset { get; init; } = string.Empty;

    [CommandOption("--dry-run")]
    [Description("Print what would be compacted, expired and removed, and the bytes saved; change nothing")]
    public bool DryRun { get; init; }

    [CommandOption("--only <STEP>")]
    [Description("Run one step: compact, expire or orphans (repeatable); default all three")]
    public string[] Only { get; init; } = [];

    [CommandOption("--retain <DURATION>")]
    [Description("Keep snapshots committed within this age (7d, 12h, 30m, 0s); default the table's retention (table.maintenance.snapshotRetentionDays)")]
    public string? Retain { get; init; }

    [CommandOption("--retain-last <N>")]
    [Description("Always keep the latest N snapshots of the current history; default table.maintenance.minSnapshotsToKeep")]
    public int? RetainLast { get; init; }

    [CommandOption("--orphan-grace <DURATION>")]
    [Description("Delete unreferenced files older than this (longer than any run takes); default table.maintenance.orphanGraceHours")]
    public string? OrphanGrace { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("text or json")]
    [DefaultValue(MaintainOutputFormat.Text)]
    public MaintainOutputFormat Format { get; init; } = MaintainOutputFormat.Text;

    public override ValidationResult Validate()
    {
        foreach (var step in Only)
        {
            if (step is not ("compact" or "expire" or "orphans"))
            {
                return ValidationResult.Error($"--only {step}: expected compact, expire or orphans.");
            }
        }

        return RetainLast is < 1 ? ValidationResult.Error("--retain-last must be 1 or more.") : ValidationResult.Success();
    }
}

/// <summary>
/// <c>ingest maintain</c>: compacts small files, expires snapshots past retention and removes orphan files of an Iceberg
/// table, each change one atomic swap of its metadata pointer (readers never see a partial state); <c>--dry-run</c>
/// prints what it would do.
/// </summary>
internal sealed class MaintainCommand(CliHome home, CliConsoles consoles) : AsyncCommand<MaintainSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, MaintainSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        var steps = settings.Only.Length == 0
            ? MaintenanceSteps.All
            : settings.Only.Aggregate(MaintenanceSteps.None, (all, s) => all | s switch
            {
                "compact" => MaintenanceSteps.Compact,
                "expire" => MaintenanceSteps.ExpireSnapshots,
                _ => MaintenanceSteps.RemoveOrphans,
            });
        var options = new MaintenanceOptions
        {
            Steps = steps,
            DryRun = settings.DryRun,
            RetainFor = settings.Retain is null ? null : Duration(settings.Retain, "--retain"),
            RetainLast = settings.RetainLast,
            OrphanGrace = settings.OrphanGrace is null ? null : Duration(settings.OrphanGrace, "--orphan-grace"),
        };

        await using var session = home.Open(settings);
        var registered = await session.Backends.Registry.GetRequiredAsync(id, cancellationToken: cancellationToken);
        var catalog = SnapshotCommands.Catalog(session, registered);
        var report = await TableMaintenance.MaintainAsync(registered, session.Backends.Lake, catalog, session.Backends.Ledger, options, cancellationToken);
        consoles.Out.WriteRaw(settings.Format == MaintainOutputFormat.Json ? Json(report) : Text(report));
        return ExitCodes.Success;
    }

    /// <summary>Parses <c>7d</c>, <c>12h</c>, <c>30m</c>, <c>45s</c>.</summary>
    internal static TimeSpan Duration(string text, string option)
    {
        if (text.Length >= 2 && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            switch (text[^1])
            {
                case 'd': return TimeSpan.FromDays(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 's': return TimeSpan.FromSeconds(n);
            }
        }

        throw new CliException($"{option} {text}: expected a whole number and a unit, such as 7d, 12h, 30m or 0s.");
    }

    private static string Text(MaintenanceReport r)
    {
        var would = r.DryRun ? "would " : string.Empty;
        var text = new StringBuilder();
        text.AppendLine(r.DryRun ? $"{r.Dataset}: dry run, nothing changed." : $"{r.Dataset}: maintained.");
        if (r.JournalsFinished > 0)
        {
            text.AppendLine($"  journals: {would}finish {r.JournalsFinished} left by an interrupted expiry");
        }

        if (r.Compaction is { } c)
        {
            text.AppendLine(c.GaveUp is { } why
                ? $"  compact: gave up, the table is unchanged: {why}"
                : c.FilesRemoved == 0
                    ? $"  compact: no partition has enough small files ({ConsoleOutput.N(c.FilesBefore)} data files)"
                    : $"  compact: {would}rewrite {ConsoleOutput.N(c.FilesRemoved)} small files ({ConsoleOutput.Bytes(c.BytesRewritten)}, {ConsoleOutput.N(c.Records)} rows) in {ConsoleOutput.N(c.Partitions)} partitions into {ConsoleOutput.N(c.FilesAdded)}; data files {ConsoleOutput.N(c.FilesBefore)} -> {ConsoleOutput.N(c.FilesAfter)}{(c.SnapshotId is { } s ? $" (snapshot {s})" : string.Empty)}");
        }

        if (r.Expiry is { } e)
        {
            text.AppendLine(e.Expired.Count == 0
                ? "  expire: no snapshot is past retention"
                : $"  expire: {would}expire {ConsoleOutput.N(e.Expired.Count)} snapshots, deleting {ConsoleOutput.N(e.DataFilesDeleted)} data files and {ConsoleOutput.N(e.MetadataFilesDeleted)} metadata files ({ConsoleOutput.Bytes(e.BytesDeleted)})");
            if (e.HeldByReaders.Count > 0)
            {
                text.AppendLine($"  expire: kept {ConsoleOutput.N(e.HeldByReaders.Count)} snapshots past retention that readers hold; the next maintenance expires them");
            }
        }

        if (r.Orphans is { } o)
        {
            text.AppendLine(o.Files.Count == 0
                ? "  orphans: none"
                : $"  orphans: {would}delete {ConsoleOutput.N(o.Files.Count)} unreferenced files ({ConsoleOutput.Bytes(o.BytesDeleted)})");
        }

        text.AppendLine($"  bytes {(r.DryRun ? "that would be " : string.Empty)}saved: {ConsoleOutput.Bytes(r.BytesSaved)}");
        return text.ToString();
    }

    private static string Json(MaintenanceReport r) => JsonSerializer.Serialize(new
    {
        dataset = r.Dataset.ToString(),
        dryRun = r.DryRun,
        journalsFinished = r.JournalsFinished,
        compaction = r.Compaction is not { } c ? null : new
        {
            partitions = c.Partitions,
            filesRemoved = c.FilesRemoved,
            filesAdded = c.FilesAdded,
            filesBefore = c.FilesBefore,
            filesAfter = c.FilesAfter,
            bytesRewritten = c.BytesRewritten,
            records = c.Records,
            snapshotId = c.SnapshotId,
            gaveUp = c.GaveUp,
        },
        expiry = r.Expiry is not { } e ? null : new
        {
            expired = e.Expired,
            heldByReaders = e.HeldByReaders,
            dataFilesDeleted = e.DataFilesDeleted,
            metadataFilesDeleted = e.MetadataFilesDeleted,
            bytesDeleted = e.BytesDeleted,
        },
        orphans = r.Orphans is not { } o ? null : new { files = o.Files, bytesDeleted = o.BytesDeleted },
        bytesSaved = r.BytesSaved,
    }) + Environment.NewLine;
}
