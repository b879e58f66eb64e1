using System.Text;
using System.Text.Json;
using Ingest.Cli.Hosting;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Spectre.Console.Cli;

namespace Ingest.Cli.Runs;

/// <summary>
/// <c>ingest rejects</c>: the rows a run rejected, with file, line and reason. A succeeded run's rejects are its published
/// quarantine files; a run that failed over its reject budget kept its rejects apart (nothing of it was published), and
/// this is where they are read.
/// </summary>
internal sealed class RejectsCommand(CliHome home, CliConsoles consoles) : AsyncCommand<RejectsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RejectsSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        await using var session = home.Open(settings);
        await session.Backends.Registry.GetRequiredAsync(id, cancellationToken: cancellationToken);
        var run = settings.Run is { } runId
            ? await session.Backends.Ledger.GetRunAsync(id, Arguments.RunId(runId), cancellationToken)
                ?? throw new CliException($"Dataset {id} has no run {runId}. List its runs with: ingest runs {id}")
            : await NewestWithRejectsAsync(session.Backends.Ledger, id, cancellationToken);
        if (run is null)
        {
            consoles.Out.WriteRaw($"No run of {id} has rejected rows.{Environment.NewLine}");
            return ExitCodes.Success;
        }

        var output = new StringBuilder();
        if (settings.Format == RejectsOutputFormat.Text)
        {
            output.AppendLine(Heading(run));
        }

        var shown = 0;
        await foreach (var row in RunRejects.ReadAsync(session.Backends.Lake, run, cancellationToken))
        {
            if (shown == settings.Limit)
            {
                break;
            }

            shown++;
            if (settings.Format == RejectsOutputFormat.Json)
            {
                output.AppendLine(JsonSerializer.Serialize(new { file = row.SourceFile, line = row.SourceLine, reason = row.Reason, rawRecord = row.RawRecord, values = row.Values }));
            }
            else
            {
                output.Append("  ").Append(row.SourceFile).Append(" line ").Append(row.SourceLine).Append(": ").AppendLine(row.Reason);
            }
        }

        if (settings.Format == RejectsOutputFormat.Text && shown < run.RowsRejected)
        {
            output.AppendLine($"  … {ConsoleOutput.N(run.RowsRejected - shown)} more (--limit N shows more, --format json every value)");
        }

        consoles.Out.WriteRaw(output.ToString());
        return ExitCodes.Success;
    }

    private static string Heading(RunRecord run)
    {
        var rejected = $"{ConsoleOutput.N(run.RowsRejected)} rejected row{(run.RowsRejected == 1 ? string.Empty : "s")}";
        return run.Status == RunStatus.Failed
            ? $"Run {run.RunId} of {run.Dataset} v{run.DefinitionVersion} failed: {rejected}, kept apart from the published quarantine (nothing of the run was published)."
            : $"Run {run.RunId} of {run.Dataset} v{run.DefinitionVersion} ({run.Status.ToString().ToLowerInvariant()}): {rejected}.";
    }

    private static async Task<RunRecord?> NewestWithRejectsAsync(IRunLedger ledger, Definitions.DatasetId id, CancellationToken cancellationToken)
    {
        await foreach (var run in ledger.ListRunsAsync(id, cancellationToken))
        {
            if (RunRejects.KeysOf(run).Count > 0)
            {
                return run;
            }
        }

        return null;
    }
}
