using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary>
/// <c>ingest datasets validate</c>: checks definition files without registering them. When the home folder exists and
/// the dataset is registered, the file must also be compatible with its latest version. Exit 1 when any file is invalid.
/// </summary>
internal sealed class DatasetsValidateCommand(CliHome home, CliConsoles consoles) : AsyncCommand<DefinitionFilesSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DefinitionFilesSettings settings, CancellationToken cancellationToken)
    {
        var files = settings.Files.Select(f => Arguments.ExistingFile(f, "Definition file")).ToList();
        await using var session = home.TryOpen(settings);
        if (session is null)
        {
            consoles.Error.MarkupLineInterpolated($"note: no ingest home at {settings.ResolveHome()}; compatibility with registered versions is not checked.");
        }

        var invalid = 0;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            try
            {
                var definition = await DatasetDefinitionSerializer.ReadFileAsync(file, cancellationToken);
                var latest = session is null ? null : await session.Backends.Registry.GetAsync(definition.Id, cancellationToken: cancellationToken);
                consoles.Out.MarkupLineInterpolated($"{name}: [green]valid[/] {definition.Id} {Verdict(definition, latest)}");
            }
            catch (Exception ex) when (ex is DefinitionException or SchemaCompatibilityException)
            {
                invalid++;
                IngestCli.WriteError(consoles.Error, ex.Message);
            }
        }

        return invalid == 0 ? ExitCodes.Success : ExitCodes.DataFailed;
    }

    private static string Verdict(DatasetDefinition definition, RegisteredDefinition? latest)
    {
        if (latest is null)
        {
            return "(not registered: would be v1)";
        }

        if (latest.Fingerprint == DatasetDefinitionSerializer.Fingerprint(definition))
        {
            return $"(identical to v{latest.Version})";
        }

        var problems = SchemaCompatibility.Check(latest.Definition, definition);
        return problems.Count > 0
            ? throw new SchemaCompatibilityException(definition.Id, latest.Version, problems)
            : $"(compatible with v{latest.Version}: would be v{latest.Version + 1})";
    }
}
