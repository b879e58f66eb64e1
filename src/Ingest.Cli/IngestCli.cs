using System.Reflection;
using Ingest.Cli.Datasets;
using Ingest.Cli.Deploy;
using Ingest.Cli.Hosting;
using Ingest.Cli.Init;
using Ingest.Cli.Query;
using Ingest.Cli.Runs;
using Ingest.Cli.Snapshots;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli;

/// <summary>The <c>ingest</c> command line: parses arguments, runs one command, maps errors to exit codes.</summary>
internal static class IngestCli
{
    /// <summary>Runs the command line, writing output and errors to <paramref name="console"/>.</summary>
    /// <returns>The process exit code (see <c>ingest --help</c>).</returns>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default)
        => RunAsync(args, console, console, cancellationToken);

    /// <summary>Runs the command line, writing output to <paramref name="console"/> and errors to <paramref name="errorConsole"/>.</summary>
    /// <returns>The process exit code (see <c>ingest --help</c>).</returns>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, IAnsiConsole errorConsole, CancellationToken cancellationToken = default)
        => RunAsync(args, console, errorConsole, new LocalBackendFactory(), new AwsBackendFactory(), cancellationToken);

    internal static async Task<int> RunAsync(string[] args, IAnsiConsole console, IAnsiConsole errorConsole, IBackendFactory backends, AwsBackendFactory aws, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(errorConsole);
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(aws);

        var services = new ServiceCollection();
        services.AddSingleton(backends);
        services.AddSingleton(aws);
        services.AddSingleton<CliHome>();
        services.AddSingleton(new CliConsoles(console, errorConsole));

        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config => Configure(config, console));
        try
        {
            return await app.RunAsync(MoveLeadingGlobalOptions(args), cancellationToken);
        }
        catch (Exception ex)
        {
            return ReportError(ex, errorConsole, verbose: args.Contains("--verbose"), cancellationToken);
        }
    }

    private static void Configure(IConfigurator config, IAnsiConsole console)
    {
        config.SetApplicationName("ingest");
        config.SetApplicationVersion(Version);
        config.ConfigureConsole(console);
        config.PropagateExceptions();
        config.SetHelpProvider(new CliHelpProvider(config.Settings));

        config.AddCommand<InitCommand>("init")
            .WithDescription("Create the ingest home folder (lake, registry, ledger), or with --target aws check (or create) the buckets and table, and show the next steps")
            .WithExample("init")
            .WithExample("--home", "ingest-home", "init")
            .WithExample("init", "--target", "aws", "--terraform-outputs", "outputs.json");

        config.AddBranch("datasets", datasets =>
        {
            datasets.SetDescription("Register, list, show, compare and validate dataset definitions");
            datasets.AddCommand<DatasetsAddCommand>("add")
                .WithDescription("Register definition files: a new dataset, a compatible new version, or unchanged")
                .WithExample("datasets", "add", "docs/examples/sales.orders.json", "docs/examples/sales.customers.json");
            datasets.AddCommand<DatasetsListCommand>("list")
                .WithDescription("List registered datasets with their latest version")
                .WithExample("datasets", "list")
                .WithExample("datasets", "list", "--format", "csv");
            datasets.AddCommand<DatasetsShowCommand>("show")
                .WithDescription("Print a registered definition as JSON (the latest version unless --version)")
                .WithExample("datasets", "show", "sales.orders")
                .WithExample("datasets", "show", "sales.orders", "--version", "1")
                .WithExample("datasets", "show", "sales.orders", "--format", "json");
            datasets.AddCommand<DatasetsDiffCommand>("diff")
                .WithDescription("Compare a definition file with the registered dataset, or two registered versions, column by column, with the compatibility verdict")
                .WithExample("datasets", "diff", "sales.orders", "docs/examples/sales.orders.json")
                .WithExample("datasets", "diff", "sales.orders", "--from", "1", "--to", "2")
                .WithExample("datasets", "diff", "sales.orders", "--from", "1", "--to", "2", "--format", "json");
            datasets.AddCommand<DatasetsValidateCommand>("validate")
                .WithDescription("Validate definition files without registering them; registered datasets are also checked for compatibility; with --against, each is checked against a data file without ingesting it (exit 1 when any is invalid or would reject a record)")
                .WithExample("datasets", "validate", "docs/examples/sales.orders.json")
                .WithExample("datasets", "validate", "docs/examples/sales.orders.json", "--against", "docs/examples/orders-2024-05-01.csv");
            datasets.AddCommand<DatasetsInferCommand>("infer")
                .WithDescription("Draft a definition from data files (CSV, JSON Lines, Parquet): dialect, encoding, column names, types, formats and nullability from a sample; the definition to standard output or --output, the report (reasons, suggested keys, partitioning and rules, what the draft would reject) to standard error or --report")
                .WithExample("datasets", "infer", "docs/examples/orders-2024-05-01.csv", "--id", "sales.orders_draft", "--output", "orders.draft.json")
                .WithExample("datasets", "infer", "docs/examples/orders-2024-05-01.csv", "--sample-rows", "1000", "--time-zone", "Europe/Berlin", "--report", "infer-report.txt");
        });

        config.AddCommand<RunCommand>("run")
            .WithDescription("Ingest files into a dataset: raw copy, validate, write curated and quarantine Parquet, commit, record the run; in this process, or with --engine glue on the deployed state machine and Glue job")
            .WithExample("run", "sales.orders", "docs/examples/orders-2024-05-01.csv")
            .WithExample("run", "sales.orders", "docs/examples/orders-2024-05-01.csv", "--force")
            .WithExample("run", "sales.orders", "docs/examples/orders-2024-05-01.csv", "--engine", "glue", "--target", "aws", "--terraform-outputs", "outputs.json");

        config.AddCommand<RunsCommand>("runs")
            .WithDescription("List a dataset's runs, newest first")
            .WithExample("runs", "sales.orders", "--limit", "5")
            .WithExample("runs", "sales.orders", "--format", "json");

        config.AddCommand<RejectsCommand>("rejects")
            .WithDescription("Show the rows a run rejected (file, line, reason): the newest run with rejects unless --run; a run that failed over its reject budget kept them apart, unpublished")
            .WithExample("rejects", "sales.orders")
            .WithExample("rejects", "sales.orders", "--limit", "5", "--format", "json");

        config.AddCommand<SnapshotsCommand>("snapshots")
            .WithDescription("List an Iceberg table's snapshots, newest first: id, state, committed at, operation, run, rows and files added and removed")
            .WithExample("snapshots", "sales.orders")
            .WithExample("snapshots", "sales.orders", "--format", "json");

        config.AddCommand<RollbackCommand>("rollback")
            .WithDescription("Make an earlier snapshot of an Iceberg table current again (readers switch at once; the history keeps every snapshot); the inputs of the runs rolled back out can be ingested again")
            .WithExample("rollback", "sales.orders", "--to", "previous");

        config.AddCommand<MaintainCommand>("maintain")
            .WithDescription("Keep an Iceberg table healthy: compact small files, expire snapshots past retention, remove orphan files (each change one atomic swap; readers are not disturbed); --dry-run prints what it would do and the bytes saved")
            .WithExample("maintain", "sales.orders", "--dry-run")
            .WithExample("maintain", "sales.orders", "--only", "expire", "--retain", "7d", "--retain-last", "5")
            .WithExample("maintain", "sales.orders", "--format", "json");

        config.AddCommand<QueryCommand>("query")
            .WithDescription("Run SQL over the catalog (DuckDB locally, Athena with --target aws, which also reports the data scanned and the estimated cost); each dataset is a table domain.name, its rejects domain.name_quarantine")
            .WithExample("query", "select status, count(*) as orders from sales.orders group by status order by status")
            .WithExample("query", "select * from sales.orders where currency = ? limit 10", "--param", "EUR", "--format", "csv")
            .WithExample("query", "select count(*) from sales.orders", "--as-of", "2024-05-01T00:00:00Z")
            .WithExample("query", "select count(*) from sales.orders where ordered_at >= ?", "--param", "2024-05-01", "--target", "aws", "--terraform-outputs", "outputs.json");

        config.AddBranch("deploy", deploy =>
        {
            deploy.SetDescription("Write deployment artifacts generated by the SDK");
            deploy.AddCommand<DeployAslCommand>("asl")
                .WithDescription("Write the ingest state machine (Amazon States Language) to the file Terraform deploys (terraform/step_functions/ingest.asl.json by default)")
                .WithExample("deploy", "asl")
                .WithExample("deploy", "asl", "--check");
        });
    }

    private static string Version
    {
        get
        {
            var version = typeof(IngestCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus > 0 ? version[..plus] : version;
        }
    }

    /// <summary>
    /// Moves global options given before the command (<c>ingest --home x run …</c>, <c>ingest --target aws runs …</c>) behind the command path,
    /// where Spectre.Console.Cli accepts them as options of the command's settings.
    /// </summary>
    internal static string[] MoveLeadingGlobalOptions(string[] args)
    {
        var globals = new List<string>();
        var i = 0;
        while (i < args.Length)
        {
            var arg = args[i];
            if (GlobalSettings.ValueOptions.Contains(arg) && i + 1 < args.Length)
            {
                globals.Add(arg);
                globals.Add(args[i + 1]);
                i += 2;
            }
            else if (GlobalSettings.ValueOptions.Any(o => arg.StartsWith(o + "=", StringComparison.Ordinal)) || arg is "--verbose")
            {
                globals.Add(arg);
                i++;
            }
            else
            {
                break;
            }
        }

        if (globals.Count == 0 || i == args.Length)
        {
            return args;
        }

        if (args[i].StartsWith('-'))
        {
            // ingest --home x --help / --version: the root takes no global options.
            return args[i..];
        }

        var pathLength = args[i] is "datasets" or "deploy" && i + 1 < args.Length && !args[i + 1].StartsWith('-') ? 2 : 1;
        return [.. args[i..(i + pathLength)], .. globals, .. args[(i + pathLength)..]];
    }

    internal static int ReportError(Exception ex, IAnsiConsole errors, bool verbose, CancellationToken cancellationToken)
    {
        var (code, message) = Classify(ex, cancellationToken);
        WriteError(errors, message);
        if (verbose)
        {
            errors.WriteLine(ex.ToString());
        }

        return code;
    }

    /// <summary>Writes <c>error: message</c> as one line, never wrapped at the console width.</summary>
    internal static void WriteError(IAnsiConsole errors, string message)
    {
        errors.Markup("[red]error:[/] ");
        errors.WriteRaw(message.ReplaceLineEndings(" ") + Environment.NewLine);
    }

    internal static (int ExitCode, string Message) Classify(Exception ex, CancellationToken cancellationToken)
    {
        var message = ex.Message.Trim();
        return ex switch
        {
            OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Cancelled, "cancelled."),
            CliException cli => (cli.ExitCode, message),
            DataValidationException => (ExitCodes.DataFailed, message),
            DefinitionException or DatasetNotFoundException or SchemaCompatibilityException or SnapshotNotFoundException => (ExitCodes.BadInput, message),
            ConcurrencyConflictException => (ExitCodes.Conflict, message),
            LakeEnvironmentException => (ExitCodes.Environment, message),
            CommandParseException or CommandRuntimeException => (ExitCodes.BadInput, message),
            IngestException => (ExitCodes.Unexpected, message),
            _ => (ExitCodes.Unexpected, $"{message} ({ex.GetType().Name}; run with --verbose for details)"),
        };
    }
}

/// <summary>Where a command writes: results to <see cref="Out"/>, errors and diagnostics to <see cref="Error"/>.</summary>
internal sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error);
