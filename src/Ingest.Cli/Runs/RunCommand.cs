using System.Text;
using Ingest.Aws.CloudWatch;
using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Runs;

/// <summary>
/// <c>ingest run</c>: ingests files into a dataset as one run, with a live progress bar on interactive consoles,
/// then a summary. A re-run of inputs already ingested is a no-op (exit 0) unless <c>--force</c>.
/// </summary>
internal sealed class RunCommand(CliHome home, CliConsoles consoles, AwsBackendFactory aws) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        var files = settings.Files.Select(f => Arguments.ExistingFile(f)).ToList();
        var target = settings.ResolveTarget();
        if (settings.Engine == RunEngine.Glue)
        {
            if (target != CliTarget.Aws)
            {
                throw new CliException("--engine glue runs on AWS: add --target aws (and its settings), or leave --engine out to run in this process.");
            }

            var (options, awsSession) = home.OpenAws(settings);
            await using (awsSession)
            {
                GlueRun.RequireStateMachine(options);
                var latest = await awsSession.Backends.Registry.GetRequiredAsync(id, cancellationToken: cancellationToken);
                if (latest.Definition.Engine.Kind != EngineKind.Glue)
                {
                    // The state machine runs only datasets whose definition names the Glue engine.
                    throw new CliException(
                        $"Dataset {id} v{latest.Version} runs on engine.kind {latest.Definition.Engine.Kind.ToString().ToLowerInvariant()}: set \"engine\": {{ \"kind\": \"glue\" }} in its definition and register it (ingest datasets add), or leave --engine out to run it in this process.");
                }

                var glueRun = await new GlueRun(consoles, aws.PollingInterval).ExecuteAsync(id, files, options, awsSession.Backends, cancellationToken);
                Summarize(glueRun, latest, awsSession.Backends, engine: "glue (Step Functions)", settings.Format);
                return ExitCodes.Success;
            }
        }

        var inputs = files.Select(IngestInput.FromFile).ToList();
        await using var session = home.Open(settings);
        var registered = await session.Backends.Registry.GetRequiredAsync(id, settings.Version, cancellationToken);
        if (inputs.Count == 0 && registered.Definition.Source.Format != SourceFormat.Database)
        {
            throw new CliException($"missing FILES: dataset {id} reads {registered.Definition.Source.Format} files; give them: ingest run {id} <FILES>… (or, for a Glue dataset, --engine glue --target aws ingests what waits in the landing folder)");
        }

        using var loggerFactory = settings.Verbose
            ? LoggerFactory.Create(logging => logging
                .SetMinimumLevel(LogLevel.Debug)
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            : NullLoggerFactory.Instance;
        var progress = new RunProgress(inputs.Sum(i => i.Length ?? 0));
        var builder = new IngestPipelineBuilder(session.Backends)
            .ForDataset(id)
            .UseLoggerFactory(loggerFactory)
            .OnProgress(progress)
            .UseSourceExtractor(DatabaseExtractors.Create(loggerFactory));
        if (settings.Version is { } version)
        {
            builder.UseDefinitionVersion(version);
        }

        // One CloudWatch EMF line per run on standard error (standard output is the summary): where a log agent ships it
        // to CloudWatch Logs it becomes the run's metrics, with no extra call. Held until the progress display has ended.
        using var metrics = new StringWriter();
        if (target == CliTarget.Aws)
        {
            builder.AddRunObserver(EmbeddedMetrics.CreateObserver(metrics));
        }

        IngestRunResult result;
        try
        {
            result = await RunAsync(builder.Build(), inputs, new IngestRunOptions { Force = settings.Force }, progress, id, settings.Verbose || settings.Format == DocumentOutputFormat.Json, cancellationToken);
        }
        finally
        {
            consoles.Error.WriteRaw(metrics.ToString());
        }

        Summarize(result, registered, session.Backends, engine: "local (this process)", settings.Format);
        return ExitCodes.Success;
    }

    private async Task<IngestRunResult> RunAsync(IngestPipeline pipeline, List<IngestInput> inputs, IngestRunOptions options, RunProgress progress, DatasetId id, bool verbose, CancellationToken cancellationToken)
    {
        var console = consoles.Out;
        IngestRunResult result;
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi && !verbose)
        {
            result = await console.Progress()
                .AutoClear(false)
                .Columns(
                    new TaskDescriptionColumn { Alignment = Justify.Left },
                    new ProgressBarColumn { Width = 20 },
                    new PercentageColumn(),
                    new DownloadedColumn(),
                    new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    progress.Attach(ctx.AddTask(Markup.Escape($"{id}: starting")));
                    var run = await (inputs.Count == 0 ? pipeline.ExtractAndRunAsync(cancellationToken) : pipeline.RunAsync(inputs, options, cancellationToken));
                    progress.Complete();
                    return run;
                });
        }
        else
        {
            result = await (inputs.Count == 0 ? pipeline.ExtractAndRunAsync(cancellationToken) : pipeline.RunAsync(inputs, options, cancellationToken));
        }

        return result;
    }

    private void Summarize(IngestRunResult result, RegisteredDefinition registered, IngestBackends backends, string engine, DocumentOutputFormat format)
    {
        var console = consoles.Out;
        var run = result.Run;
        var catalogued = backends.Catalog is not null;
        var quarantine = backends.Lake.GetAddress(LakeZone.Quarantine, DatasetLayout.DatasetPrefix(run.Dataset));
        if (format == DocumentOutputFormat.Json)
        {
            console.WriteRaw(MachineOutput.Json(Shape(result, registered, engine, catalogued ? $"{registered.Definition.CatalogDatabase}.{registered.Definition.CatalogTable}_quarantine" : quarantine)) + "\n");
            return;
        }

        if (result.IsNoOp && run.Sources.Count == 0)
        {
            console.MarkupLineInterpolated($"Nothing to ingest: the database source has no new or changed rows since the last run.");
            console.MarkupLineInterpolated($"run {run.RunId}: skipped");
            return;
        }

        if (result.IsNoOp)
        {
            var earlier = run.Sources.Select(s => s.RunId).Where(r => r != run.RunId).Distinct().ToList();
            console.MarkupLineInterpolated(
                $"Nothing to ingest: every input was ingested before{(earlier.Count > 0 ? $" (run {string.Join(", ", earlier)})" : string.Empty)}. Use --force to ingest again.");
            console.MarkupLineInterpolated($"run {run.RunId}: skipped");
            return;
        }

        var rows = new List<(string Name, string Value)>();
        void Row(string name, string value) => rows.Add((name, value));

        var metrics = IngestRunMetrics.FromRun(run);
        Row("run id", run.RunId);
        Row("dataset", $"{run.Dataset} v{run.DefinitionVersion}");
        Row("engine", engine);
        Row("status", run.Status.ToString().ToLowerInvariant());
        Row("rows read", ConsoleOutput.N(metrics.RowsRead));
        Row("rows written", ConsoleOutput.N(metrics.RowsWritten));
        Row("rows rejected", ConsoleOutput.N(metrics.RowsRejected));
        var skipped = run.Sources.Count(s => s.Skipped);
        Row("inputs", $"{run.Sources.Count}{(skipped > 0 ? $" ({skipped} skipped: ingested before)" : string.Empty)}");
        Row("files written", $"{ConsoleOutput.N(metrics.FilesWritten)} ({ConsoleOutput.Bytes(metrics.BytesWritten)}, average {ConsoleOutput.Bytes((long)metrics.AverageFileSizeBytes)})");
        Row("partitions", Partitions(run));
        Row("retries", ConsoleOutput.N(metrics.Retries));
        if (result.TopRejectReasons.Count > 0)
        {
            Row("top reject reasons", string.Join(Environment.NewLine, result.TopRejectReasons.Take(5).Select(r => $"{ConsoleOutput.N(r.Count)}  {r.Reason}")));
        }

        Row("elapsed", ConsoleOutput.Duration(result.Elapsed));
        Row("rows/s", ConsoleOutput.Rate(run.RowsRead / Math.Max(result.Elapsed.TotalSeconds, 0.001)));
        WriteSummary(console, $"ingest run: {registered.Dataset}", rows);
        if (run.RowsRejected > 0 && catalogued)
        {
            console.MarkupLineInterpolated($"Rejected rows: {registered.Definition.CatalogDatabase}.{registered.Definition.CatalogTable}_quarantine (_ingest_run_id = '{run.RunId}')");
        }
        else if (run.RowsRejected > 0)
        {
            console.MarkupLineInterpolated($"Rejected rows: {quarantine} (_ingest_run_id = '{run.RunId}')");
        }
    }

    /// <summary>
    /// A box on a terminal; plain, narrow lines (two spaces, the name padded, the value) when the output goes to a file
    /// or another program, so that a log or a pipe gets no 240-column frame.
    /// </summary>
    private static void WriteSummary(IAnsiConsole console, string title, List<(string Name, string Value)> rows)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            foreach (var (name, value) in rows)
            {
                grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value));
            }

            console.Write(new Panel(grid).Header(Markup.Escape(title)).Expand());
            return;
        }

        var width = rows.Max(r => r.Name.Length);
        var text = new StringBuilder().AppendLine(title);
        foreach (var (name, value) in rows)
        {
            var lines = value.Split(Environment.NewLine);
            text.Append("  ").Append(name.PadRight(width)).Append("  ").AppendLine(lines[0]);
            foreach (var line in lines.Skip(1))
            {
                text.Append(' ', width + 4).AppendLine(line);
            }
        }

        console.WriteRaw(text.ToString());
    }

    private static string Partitions(RunRecord run)
    {
        const int Shown = 3;
        if (run.PartitionsWritten.Count == 0)
        {
            return "0";
        }

        var list = string.Join(", ", run.PartitionsWritten.Take(Shown));
        return run.PartitionsWritten.Count > Shown
            ? $"{ConsoleOutput.N(run.PartitionsWritten.Count)} ({list}, …)"
            : $"{ConsoleOutput.N(run.PartitionsWritten.Count)} ({list})";
    }

    /// <summary>The JSON shape of a run's result (documented in the README's CLI section); <c>status</c> is <c>skipped</c> for a no-op.</summary>
    private static object Shape(IngestRunResult result, RegisteredDefinition registered, string engine, string quarantine)
    {
        var run = result.Run;
        var metrics = IngestRunMetrics.FromRun(run);
        return new
        {
            runId = run.RunId,
            dataset = run.Dataset.ToString(),
            definitionVersion = run.DefinitionVersion,
            engine = engine.Split(' ')[0],
            status = run.Status.ToString().ToLowerInvariant(),
            rowsRead = metrics.RowsRead,
            rowsWritten = metrics.RowsWritten,
            rowsRejected = metrics.RowsRejected,
            inputs = run.Sources.Select(i => new { name = i.Name, size = i.Size, sha256 = i.Sha256, skipped = i.Skipped, ingestedBy = i.RunId }),
            filesWritten = metrics.FilesWritten,
            bytesWritten = metrics.BytesWritten,
            partitions = run.PartitionsWritten,
            retries = metrics.Retries,
            topRejectReasons = result.TopRejectReasons.Select(r => new { reason = r.Reason, count = r.Count }),
            rejectedRows = run.RowsRejected > 0 ? $"{quarantine} (_ingest_run_id = '{run.RunId}')" : null,
            elapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
            tableFormat = Datasets.DefinitionText.Kebab(registered.Definition.TableFormat),
        };
    }
}
