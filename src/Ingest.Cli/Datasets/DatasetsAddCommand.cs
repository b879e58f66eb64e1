using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary><c>ingest datasets add</c>: registers definition files and creates or updates their catalog tables.</summary>
/// <remarks>Files are registered in order; the first failure stops the command (earlier files stay registered).</remarks>
internal sealed class DatasetsAddCommand(CliHome home, CliConsoles consoles) : AsyncCommand<DefinitionFilesSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DefinitionFilesSettings settings, CancellationToken cancellationToken)
    {
        var files = settings.Files.Select(f => Arguments.ExistingFile(f, "Definition file")).ToList();
        await using var session = home.Open(settings);
        var backends = session.Backends;
        foreach (var file in files)
        {
            var definition = await DatasetDefinitionSerializer.ReadFileAsync(file, cancellationToken);
            var latest = await backends.Registry.GetAsync(definition.Id, cancellationToken: cancellationToken);
            var registered = await backends.Registry.RegisterAsync(definition, cancellationToken);
            if (backends.Catalog is { } catalog)
            {
                await catalog.EnsureTableAsync(registered, cancellationToken);
            }

            if (latest is not null && latest.Version == registered.Version)
            {
                consoles.Out.MarkupLineInterpolated($"{registered.Dataset} unchanged (v{registered.Version})");
            }
            else
            {
                consoles.Out.MarkupLineInterpolated($"registered [bold]{registered.Dataset}[/] v{registered.Version}");
            }
        }

        return ExitCodes.Success;
    }
}
