using System.ComponentModel;
using Ingest.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

internal sealed class DefinitionFilesSettings : GlobalSettings
{
    [CommandArgument(0, "<FILES>")]
    [Description("Dataset definition files (JSON)")]
    public string[] Files { get; init; } = [];
}

internal sealed class DatasetsValidateSettings : GlobalSettings
{
    [CommandArgument(0, "<FILES>")]
    [Description("Dataset definition files (JSON)")]
    public string[] Files { get; init; } = [];

    [CommandOption("--against <DATA_FILE>")]
    [Description("Also check each definition against this data file without ingesting it: the header mapping, the file's columns no column reads, the rejects with reasons (exit 1 when any record would be rejected)")]
    public string? Against { get; init; }

    [CommandOption("-n|--limit <N>")]
    [Description("With --against: the number of rejects described (all are counted)")]
    [DefaultValue(10)]
    public int Limit { get; init; } = 10;

    public override ValidationResult Validate()
        => Limit < 1 ? ValidationResult.Error("--limit must be 1 or more.") : ValidationResult.Success();
}

internal sealed class DatasetsListSettings : GlobalSettings
{
    [CommandOption("--format <FORMAT>")]
    [Description("table, json (one object per line) or csv")]
    [DefaultValue(ListOutputFormat.Table)]
    public ListOutputFormat Format { get; init; } = ListOutputFormat.Table;
}

internal sealed class DatasetsShowSettings : GlobalSettings
{
    [CommandOption("--format <FORMAT>")]
    [Description("text (the definition document, ready to edit and add again) or json (one object: id, version, registeredAt, fingerprint, definition)")]
    [DefaultValue(DocumentOutputFormat.Text)]
    public DocumentOutputFormat Format { get; init; } = DocumentOutputFormat.Text;

    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name")]
    public string Dataset { get; init; } = string.Empty;

    [CommandOption("--version <N>")]
    [Description("The definition version; the latest when omitted")]
    public int? Version { get; init; }

    public override ValidationResult Validate()
        => Version is < 1 ? ValidationResult.Error("--version must be 1 or more.") : ValidationResult.Success();
}

internal sealed class DatasetsDiffSettings : GlobalSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("The dataset id, domain.name")]
    public string Dataset { get; init; } = string.Empty;

    [CommandArgument(1, "[FILE]")]
    [Description("A definition file to compare with the registered version (the latest unless --from)")]
    public string? File { get; init; }

    [CommandOption("--from <N>")]
    [Description("The registered version to compare from; defaults to the latest with FILE, else the version before --to")]
    public int? From { get; init; }

    [CommandOption("--to <N>")]
    [Description("The registered version to compare to (not with FILE); defaults to the latest")]
    public int? To { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("text or json (one object: dataset, from, to, compatible, columns, otherSections, incompatibilities)")]
    [DefaultValue(DocumentOutputFormat.Text)]
    public DocumentOutputFormat Format { get; init; } = DocumentOutputFormat.Text;

    public override ValidationResult Validate()
    {
        if (From is < 1 || To is < 1)
        {
            return ValidationResult.Error("--from and --to must be 1 or more.");
        }

        if (File is not null && To is not null)
        {
            return ValidationResult.Error("Give either a FILE or --to, not both: a file is compared with a registered version (--from).");
        }

        return ValidationResult.Success();
    }
}
