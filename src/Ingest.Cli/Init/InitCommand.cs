using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Init;

/// <summary><c>ingest init</c>: creates the home folder and its backends, writes the definition schema, prints the next steps.</summary>
internal sealed class InitCommand(CliHome home, CliConsoles consoles) : AsyncCommand<GlobalSettings>
{
    /// <summary>The file the JSON Schema of definitions is written to, for editors.</summary>
    public const string SchemaFileName = "dataset-definition.schema.json";

    public override async Task<int> ExecuteAsync(CommandContext context, GlobalSettings settings, CancellationToken cancellationToken)
    {
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
}
