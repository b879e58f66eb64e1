using System.ComponentModel;
using Ingest.Aws;
using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Init;

internal sealed class InitSettings : GlobalSettings
{
    [CommandOption("--create-resources")]
    [Description("With --target aws: create the buckets and the DynamoDB table when absent (local servers and trials; in production Terraform owns them). Without it, init only checks that they answer")]
    public bool CreateResources { get; init; }
}

/// <summary>
/// <c>ingest init</c>: creates the home folder and its backends, writes the definition schema, prints the next steps.
/// With <c>--target aws</c> it checks that the buckets and the table answer (or creates them with <c>--create-resources</c>).
/// </summary>
internal sealed class InitCommand(CliHome home, CliConsoles consoles) : AsyncCommand<InitSettings>
{
    /// <summary>The file the JSON Schema of definitions is written to, for editors.</summary>
    public const string SchemaFileName = "dataset-definition.schema.json";

    public override async Task<int> ExecuteAsync(CommandContext context, InitSettings settings, CancellationToken cancellationToken)
    {
        if (settings.ResolveTarget() == CliTarget.Aws)
        {
            return await InitAwsAsync(settings, cancellationToken);
        }

        if (settings.CreateResources)
        {
            throw new CliException("--create-resources applies to --target aws only: the local target creates its home folder anyway.");
        }

        var console = consoles.Out;
        var path = settings.ResolveHome();
        var existed = CliHome.Exists(path);
        await using (home.Create(path))
        {
            // Opening the backends lays out the lake folders and the registry/ledger files.
        }

        var schemaPath = Path.Combine(path, SchemaFileName);
        await File.WriteAllTextAsync(schemaPath, DatasetDefinitionSerializer.JsonSchema, cancellationToken);

        console.MarkupLineInterpolated($"{(existed ? "Ingest home already exists at" : "Created ingest home at")} [bold]{path}[/]");
        console.WriteLine();
        console.MarkupLine("Next steps:");
        console.MarkupLine("  1. Write a dataset definition (JSON); its schema for editors:");
        console.MarkupLineInterpolated($"     [bold]{schemaPath}[/]");
        console.MarkupLine("  2. Register it:          [bold]ingest datasets add orders.json[/]");
        console.MarkupLine("  3. Ingest files:         [bold]ingest run sales.orders orders.csv[/]");
        console.MarkupLine("  4. Query the lake:       [bold]ingest query \"select count(*) from sales.orders\"[/]");
        console.MarkupLine("  5. Inspect runs:         [bold]ingest runs sales.orders[/]");
        if (settings.Home is null && Environment.GetEnvironmentVariable(GlobalSettings.HomeVariable) is null)
        {
            console.WriteLine();
            console.MarkupLineInterpolated($"Commands use [bold]{GlobalSettings.DefaultHome}[/] in the current folder; pass --home or set {GlobalSettings.HomeVariable} to use another.");
        }

        return ExitCodes.Success;
    }

    private async Task<int> InitAwsAsync(InitSettings settings, CancellationToken cancellationToken)
    {
        var console = consoles.Out;
        if (settings.CreateResources)
        {
            var options = home.LoadAwsOptions(settings);
            try
            {
                await AwsIngest.EnsureResourcesAsync(options, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new CliException(AwsBackendFactory.SettingsError(ex));
            }
        }

        var (opened, session) = home.OpenAws(settings);
        await using (session)
        {
            var lake = session.Backends.Lake;
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            try
            {
                foreach (var zone in LakeZone.All)
                {
                    // One page of a listing proves the bucket exists and the credentials may list it.
                    await using var objects = lake.ListAsync(zone, DatasetLayout.StagingRoot + "/", cancellationToken).GetAsyncEnumerator(cancellationToken);
                    await objects.MoveNextAsync();
                    grid.AddRow(zone.Name, Markup.Escape(lake.GetAddress(zone, DatasetLayout.StagingRoot + "/")[..^(DatasetLayout.StagingRoot.Length + 1)]));
                }

                await using var datasets = session.Backends.Registry.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                await datasets.MoveNextAsync();
                grid.AddRow("table", Markup.Escape($"{opened.TableName} (DynamoDB{(opened.Region is null ? string.Empty : ", " + opened.Region)})"));
            }
            catch (IngestException ex)
            {
                throw new CliException(
                    $"The AWS resources do not answer: {ex.Message.TrimEnd('.')}. Create them with Terraform (terraform/), or pass --create-resources for local servers and trial accounts.",
                    ex.IsTransient ? ExitCodes.Unexpected : ExitCodes.BadInput);
            }

            console.MarkupLine(settings.CreateResources ? "AWS resources created or already present, and answering:" : "AWS resources answer:");
            console.Write(grid);
        }

        console.WriteLine();
        console.MarkupLine("Next steps (add the same --target and settings options to each):");
        console.MarkupLine("  1. Register a definition: [bold]ingest datasets add orders.json[/]");
        console.MarkupLine("  2. Ingest files:          [bold]ingest run sales.orders orders.csv[/]  (add --engine glue to run on the deployed Glue job)");
        console.MarkupLine("  3. Inspect runs:          [bold]ingest runs sales.orders[/]");
        console.MarkupLine("  4. Query in Athena:       [bold]ingest query \"select count(*) from sales.orders\"[/]");
        return ExitCodes.Success;
    }
}
