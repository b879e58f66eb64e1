using System.ComponentModel;
using System.Text;
using Ingest.Aws.StepFunctions;
using Ingest.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Deploy;

internal sealed class DeployAslSettings : GlobalSettings
{
    [CommandOption("-o|--output <FILE>")]
    [Description("Where to write the definition. Defaults to " + IngestStateMachine.TerraformTemplatePath + " under the current folder (run from the repository root)")]
    public string? Output { get; init; }

    [CommandOption("--check")]
    [Description("Write nothing: exit 1 when the file differs from what would be written (for CI)")]
    public bool Check { get; init; }

    [CommandOption("--table <NAME>")]
    [Description("The DynamoDB metadata table. Defaults to the Terraform placeholder ${metadata_table}")]
    public string? Table { get; init; }

    [CommandOption("--glue-job <NAME>")]
    [Description("The Glue job. Defaults to the Terraform placeholder ${glue_job_name}")]
    public string? GlueJob { get; init; }

    [CommandOption("--failure-topic <ARN>")]
    [Description("The SNS topic failures are published to. Defaults to the Terraform placeholder ${failure_topic_arn}")]
    public string? FailureTopic { get; init; }

    [CommandOption("--max-concurrency <N>")]
    [Description("Datasets ingested at once, 1 to 40. Defaults to the Terraform placeholder ${max_concurrency}")]
    public int? MaxConcurrency { get; init; }

    public override ValidationResult Validate()
        => MaxConcurrency is < 1 or > 40
            ? ValidationResult.Error($"--max-concurrency {MaxConcurrency} is out of range: use 1 to 40.")
            : ValidationResult.Success();
}

/// <summary>
/// <c>ingest deploy asl</c>: writes the generated ingest state machine (<see cref="IngestStateMachine"/>) to the file Terraform
/// deploys, so that the deployed state machine is the SDK's. The state machine is generic (it reads each dataset's settings
/// from the registry at run time), so it needs no datasets as input and no regeneration when a dataset is added; only a
/// new SDK version can change it. Without options the output is the Terraform template (placeholders for the names).
/// </summary>
internal sealed class DeployAslCommand(CliConsoles consoles) : AsyncCommand<DeployAslSettings>
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public override async Task<int> ExecuteAsync(CommandContext context, DeployAslSettings settings, CancellationToken cancellationToken)
    {
        var options = new IngestStateMachineOptions { MaxConcurrency = settings.MaxConcurrency };
        options.TableName = settings.Table ?? options.TableName;
        options.GlueJobName = settings.GlueJob ?? options.GlueJobName;
        options.FailureTopicArn = settings.FailureTopic ?? options.FailureTopicArn;
        var text = IngestStateMachine.Generate(options);

        var path = Path.GetFullPath(settings.Output ?? IngestStateMachine.TerraformTemplatePath);
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            throw new CliException(settings.Output is null
                ? $"{folder} does not exist: run 'ingest deploy asl' from the repository root, or pass --output <file>."
                : $"--output {settings.Output}: the folder {folder} does not exist.");
        }

        var current = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
        if (settings.Check)
        {
            if (current == text)
            {
                consoles.Out.MarkupLineInterpolated($"{path} is up to date.");
                return ExitCodes.Success;
            }

            consoles.Error.MarkupLineInterpolated($"{path} {(current is null ? "does not exist" : "differs from the generated state machine")}: run 'ingest deploy asl{(settings.Output is null ? string.Empty : " --output " + settings.Output)}' and commit the file.");
            return ExitCodes.DataFailed;
        }

        if (current == text)
        {
            consoles.Out.MarkupLineInterpolated($"{path} unchanged.");
            return ExitCodes.Success;
        }

        // Replace, never leave a half-written file for Terraform to deploy.
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text, Utf8NoBom, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        consoles.Out.MarkupLineInterpolated($"Wrote {path} ({(options.MaxConcurrency is null ? "Terraform template" : "ready to deploy")}).");
        return ExitCodes.Success;
    }
}
