using System.ComponentModel;
using Spectre.Console.Cli;

namespace Ingest.Cli.Hosting;

/// <summary>Where a command's lake, registry and ledger are.</summary>
internal enum CliTarget
{
    /// <summary>The home folder: a folder lake, SQLite registry and ledger, DuckDB catalog and query.</summary>
    Local,

    /// <summary>S3 and DynamoDB (Ingest.Aws); no catalog or query engine yet.</summary>
    Aws,
}

/// <summary>The options every command accepts; command settings derive from it.</summary>
internal class GlobalSettings : CommandSettings
{
    /// <summary>The default home folder, relative to the working directory.</summary>
    public const string DefaultHome = ".ingest";

    /// <summary>The environment variable that overrides <see cref="DefaultHome"/>.</summary>
    public const string HomeVariable = "INGEST_HOME";

    /// <summary>The environment variable that sets the target when <c>--target</c> is not given.</summary>
    public const string TargetVariable = "INGEST_TARGET";

    /// <summary>The global options that take a value, as they may appear before the command.</summary>
    public static readonly IReadOnlyList<string> ValueOptions = ["--home", "--target", "--aws-settings", "--terraform-outputs"];

    [CommandOption("--home <DIR>")]
    [Description("The ingest home folder (lake, registry, ledger) of the local target. Defaults to $INGEST_HOME, else .ingest")]
    public string? Home { get; init; }

    [CommandOption("--target <TARGET>")]
    [Description("local (the home folder) or aws (S3, DynamoDB, Glue, Athena, Step Functions). Defaults to $INGEST_TARGET, else local")]
    public string? Target { get; init; }

    [CommandOption("--aws-settings <FILE>")]
    [Description("With --target aws: a JSON settings file with an \"Aws\" section (Region, Bucket or ZoneBuckets, TableName, …); overrides --terraform-outputs, INGEST_Aws__* variables override it")]
    public string? AwsSettings { get; init; }

    [CommandOption("--terraform-outputs <FILE>")]
    [Description("With --target aws: what 'terraform output -json' printed (ingest_region, ingest_lake_bucket, ingest_table_name, ingest_settings, …)")]
    public string? TerraformOutputs { get; init; }

    [CommandOption("--verbose")]
    [Description("Show stack traces of errors and the engine's log")]
    public bool Verbose { get; init; }

    /// <summary>Gets the home folder as an absolute path.</summary>
    public string ResolveHome()
    {
        var home = Home;
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetEnvironmentVariable(HomeVariable);
        }

        return Path.GetFullPath(string.IsNullOrWhiteSpace(home) ? DefaultHome : home);
    }

    /// <summary>Gets the target from <c>--target</c>, else <c>$INGEST_TARGET</c>, else local.</summary>
    /// <exception cref="CliException">The value is neither local nor aws.</exception>
    public CliTarget ResolveTarget()
    {
        var (value, source) = string.IsNullOrWhiteSpace(Target)
            ? (Environment.GetEnvironmentVariable(TargetVariable), TargetVariable)
            : (Target, "--target");
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "local" => CliTarget.Local,
            "aws" => CliTarget.Aws,
            _ => throw new CliException($"{source} '{value}' is not a target: use local or aws."),
        };
    }
}
