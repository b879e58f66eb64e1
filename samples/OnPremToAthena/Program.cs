// OnPremToAthena: the whole Ingest flow on one machine.
//
// An on-premise after-sales site exports CSV and JSON Lines extracts. This program plays both sides:
// it generates such an export (with a few bad rows planted on purpose), then lands it in a local lake
// exactly as it would land in S3: raw copy, typed and validated Parquet in Hive-style partitions,
// quarantine for the rejects, a catalog view per dataset, and SQL on top (DuckDB here, Athena on AWS).
// Every figure it prints is checked against one computed independently from the generated data; the exit
// code is non-zero when any check fails.
//
// With --target aws the same story runs in this process against S3 and DynamoDB (and, on AWS, keeps the Glue tables
// that Athena reads); its SQL is DuckDB's dialect, so there the checks read the lake back by downloading its Parquet
// files and counting with DuckDB, and the end prints the ingest CLI commands that query it in Athena and run on Glue.
//
//   dotnet run --project samples/OnPremToAthena [-- --home DIR] [--rows N] [--clean]
//   dotnet run --project samples/OnPremToAthena -- --target aws --terraform-outputs outputs.json [--aws-settings aws.json]
using System.Diagnostics;
using System.Globalization;
using Ingest;
using Ingest.Local;
using Ingest.Storage;
using OnPremToAthena;
using Spectre.Console;

if (!SampleOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

// Redirected output (CI logs, files) would otherwise be cut at 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 140;
}

var watch = Stopwatch.StartNew();
AnsiConsole.MarkupLine($"[bold]OnPremToAthena[/]: {Show.N(options.Rows)} orders, {(options.Aws ? "target AWS (S3, DynamoDB)" : "target local")}, work folder [bold]{Markup.Escape(options.Home)}[/]");

// The extract is regenerated each time (it is deterministic); the lake starts empty so the story is the same on every run.
if (options.Clean && Directory.Exists(options.Home))
{
    Directory.Delete(options.Home, recursive: true);
}

var lakeRoot = Path.Combine(options.Home, "local");
if (!options.Aws && Directory.Exists(lakeRoot))
{
    Directory.Delete(lakeRoot, recursive: true);
}

IngestBackends backends;
try
{
    backends = options.Aws
        ? await AwsTarget.CreateBackendsAsync(options)
        : LocalIngest.CreateBackends(new LocalIngestOptions { Root = lakeRoot });
}
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or InvalidDataException or IOException or IngestException)
{
    // Settings that are missing or wrong, or resources that do not answer: one line naming what to fix.
    Console.Error.WriteLine($"error: {ex.Message.Split(" (Parameter", 2)[0]}");
    return 2;
}

// Step 1 is the on-premise side: it only writes files. Everything after it goes through Ingest.
var extract = Steps.GenerateExtract(Path.Combine(options.Home, "extract"), options.Rows);

var checks = new Checks();
using var traces = new TraceSummary();
try
{
    var steps = new Steps(backends, extract, checks, new ReadBack(backends, Path.Combine(options.Home, "readback")));
    await steps.RegisterAndIngestAsync();
    await steps.ShowQuarantineAsync();
    await steps.EvolveSchemaAsync();
    await steps.QueryAsync();
    await steps.RerunAsync();
    await new DatabaseStep(backends, checks, new ReadBack(backends, Path.Combine(options.Home, "readback")), Path.Combine(options.Home, "extract"), Math.Max(200, options.Rows / 50)).RunAsync();
}
catch (Exception ex)
{
    // Whatever broke (the engine, a backend, a query), the sample reports it as a failed check and exits non-zero.
    AnsiConsole.WriteException(ex, ExceptionFormats.ShortenEverything);
    checks.That("the story ran to its end", false, ex.Message);
}

traces.Render(checks);
checks.Render();
if (options.Aws)
{
    AwsTarget.ShowNextSteps(options);
}

var lake = options.Aws ? backends.Lake.GetAddress(LakeZone.Curated, "sales/") : Path.Combine(lakeRoot, "lake");
AnsiConsole.MarkupLine($"[grey]Finished in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s. The lake is in {Markup.Escape(lake)}.[/]");
return checks.AllPassed ? 0 : 1;
