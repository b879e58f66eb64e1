using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Aws;
using Ingest.Aws.StepFunctions;
using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Spectre.Console;

namespace Ingest.Cli.Runs;

/// <summary>
/// <c>ingest run --engine glue</c>: uploads the files to the dataset's landing folder, starts the deployed state machine with
/// <c>{"datasets": ["domain.name"]}</c>, follows the execution to its end, and reads the run the Glue job committed from the
/// ledger. The state machine (src/Ingest.Aws/StepFunctions/IngestStateMachine.cs) ends with
/// <c>{"results": [{"dataset", "runId", "status"}]}</c>, status <c>succeeded</c>, <c>failed</c> or <c>busy</c>.
/// </summary>
internal sealed class GlueRun(CliConsoles consoles, TimeSpan pollingInterval)
{
    /// <summary>The Glue engine's inbox in the raw zone (terraform/glue_ingest_job/ingest_core/layout.py <c>landing_prefix</c>).</summary>
    public const string LandingRoot = "_landing";

    /// <summary>Runs the dataset on Glue and returns the run as the ledger recorded it.</summary>
    /// <exception cref="CliException">A setting is missing, the execution failed (its error and cause, and the ledger's error), or another run held the lease.</exception>
    public async Task<IngestRunResult> ExecuteAsync(DatasetId id, IReadOnlyList<string> files, AwsIngestOptions options, IngestBackends backends, CancellationToken cancellationToken)
    {
        var stateMachine = RequireStateMachine(options);
        var states = CreateClient(options);
        foreach (var file in files)
        {
            await UploadAsync(backends.Lake, id, file, cancellationToken);
        }

        var name = ExecutionName(id);
        var input = new JsonObject { ["datasets"] = new JsonArray(id.ToString()) }.ToJsonString();
        var operation = await StepFunctionsExecutionOperation.StartAsync(states, stateMachine, input, name, cancellationToken: cancellationToken);
        consoles.Out.MarkupLineInterpolated($"Started Step Functions execution [bold]{name}[/] ({operation.Id})");
        StepFunctionsExecution final;
        try
        {
            final = await WaitAsync(operation, id, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping the execution from outside would leave the dataset's lease taken: let it finish.
            consoles.Error.MarkupLineInterpolated($"Stopped following; the execution goes on: {operation.Id}");
            throw;
        }

        var elapsed = (final.StopDate ?? DateTimeOffset.UtcNow) - (final.StartDate ?? final.StopDate ?? DateTimeOffset.UtcNow);
        consoles.Out.MarkupLineInterpolated($"Execution {name}: {final.Status.ToLowerInvariant()} after {ConsoleOutput.Duration(elapsed)}");
        if (final.Status != "SUCCEEDED")
        {
            throw await FailureAsync(id, final, backends.Ledger, cancellationToken);
        }

        var (runId, status) = Result(final, id);
        if (status == "busy")
        {
            throw new CliException($"Dataset {id} is being ingested by another run; the execution {name} did nothing (run {runId} never took the lease). Try again when that run has finished.", ExitCodes.Conflict);
        }

        var run = await backends.Ledger.GetRunAsync(id, runId, cancellationToken)
            ?? throw new CliException($"Execution {name} succeeded but the ledger has no run {runId} of {id}; check the Glue job run's log.", ExitCodes.Unexpected);
        if (status == "failed" || run.Status == RunStatus.Failed)
        {
            throw new CliException($"Execution {name}: run {runId} of {id} failed: {run.Error}".ReplaceLineEndings(" "), ExitCodes.DataFailed);
        }
        return new IngestRunResult { Run = run, Elapsed = elapsed };
    }

    /// <summary>Returns the state machine's ARN, or fails naming the setting and where it comes from.</summary>
    public static string RequireStateMachine(AwsIngestOptions options) => options.StateMachineArn ?? throw new CliException(
        "--engine glue needs the ingest state machine: set Aws:StateMachineArn (the Terraform output ingest_settings.stateMachineArn read by --terraform-outputs, --aws-settings, or INGEST_Aws__StateMachineArn).");

    /// <summary>The Step Functions client of the options; an invalid setting becomes one line naming it.</summary>
    private static IStepFunctionsClient CreateClient(AwsIngestOptions options)
    {
        try
        {
            return AwsAnalytics.CreateStepFunctionsClient(options);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(AwsBackendFactory.SettingsError(ex));
        }
    }

    private async Task UploadAsync(ILakeStorage lake, DatasetId id, string file, CancellationToken cancellationToken)
    {
        var key = $"{LandingRoot}/{id.Domain}/{id.Name}/{SafeFileName(Path.GetFileName(file))}";
        var source = File.OpenRead(file);
        var length = source.Length;
        await using (source)
        {
            var writer = await lake.OpenWriteAsync(LakeZone.Raw, key, cancellationToken);
            await using (writer)
            {
                await source.CopyToAsync(writer.Stream, cancellationToken);
                await writer.CompleteAsync(cancellationToken);
            }
        }

        consoles.Out.MarkupLineInterpolated($"Uploaded {Path.GetFileName(file)} ({ConsoleOutput.Bytes(length)}) to {lake.GetAddress(LakeZone.Raw, key)}");
    }

    private async Task<StepFunctionsExecution> WaitAsync(StepFunctionsExecutionOperation operation, DatasetId id, CancellationToken cancellationToken)
    {
        var console = consoles.Out;
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            return await operation.WaitForCompletionAsync(pollingInterval, cancellationToken);
        }

        return await console.Status().StartAsync(
            Markup.Escape($"{id}: running on Glue (Step Functions polls every {ConsoleOutput.Duration(pollingInterval)}; Ctrl+C stops following, not the execution)"),
            _ => operation.WaitForCompletionAsync(pollingInterval, cancellationToken));
    }

    /// <summary>The dataset's entry of the execution's output.</summary>
    private static (string RunId, string Status) Result(StepFunctionsExecution execution, DatasetId id)
    {
        try
        {
            var results = JsonNode.Parse(execution.Output ?? "{}")?["results"] as JsonArray;
            var entry = results?.FirstOrDefault(r => r?["dataset"]?.GetValue<string>() == id.ToString());
            if (entry?["runId"]?.GetValue<string>() is { } runId && entry["status"]?.GetValue<string>() is { } status)
            {
                return (runId, status);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Reported below with the output itself.
        }

        throw new CliException($"Execution {execution.Name ?? execution.ExecutionArn} succeeded but its output names no run of {id} (expected {{\"results\": [{{\"dataset\", \"runId\", \"status\"}}]}}): {execution.Output}", ExitCodes.Unexpected);
    }

    /// <summary>
    /// The execution's error and cause in one line, with the error of the run it recorded as failed (the newest run of the
    /// dataset that started after the execution). A failed run exits 1, anything else 4.
    /// </summary>
    private static async Task<CliException> FailureAsync(DatasetId id, StepFunctionsExecution execution, IRunLedger ledger, CancellationToken cancellationToken)
    {
        var message = new StringBuilder($"Step Functions execution {execution.Name ?? execution.ExecutionArn} {execution.Status}");
        if (execution.Error is { } error)
        {
            message.Append(CultureInfo.InvariantCulture, $": {error}");
        }

        if (execution.Cause is { } cause)
        {
            message.Append(CultureInfo.InvariantCulture, $": {cause}");
        }

        RunRecord? failed = null;
        if (execution.StartDate is { } started)
        {
            await foreach (var run in ledger.ListRunsAsync(id, cancellationToken))
            {
                if (run.StartedAt >= started.AddSeconds(-1) && run.Status == RunStatus.Failed)
                {
                    failed = run;
                }

                break;
            }
        }

        if (failed is not null)
        {
            message.Append(CultureInfo.InvariantCulture, $"; run {failed.RunId} failed: {failed.Error}");
        }

        return new CliException(message.ToString().ReplaceLineEndings(" "), failed is null ? ExitCodes.Unexpected : ExitCodes.DataFailed);
    }

    /// <summary>An execution name (at most 80 letters, digits, '-' and '_'): the dataset, the UTC time and a random suffix.</summary>
    internal static string ExecutionName(DatasetId id)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $"-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var prefix = SafeFileName($"{id.Domain}-{id.Name}").Replace('.', '_');
        return prefix[..Math.Min(prefix.Length, 80 - suffix.Length)] + suffix;
    }

    private static string SafeFileName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var safe = builder.ToString().TrimStart('.');
        return safe.Length == 0 ? "input" : safe;
    }
}
