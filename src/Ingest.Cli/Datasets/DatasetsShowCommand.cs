using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Registry;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary><c>ingest datasets show</c>: a registered definition as JSON, ready to edit and add again.</summary>
internal sealed class DatasetsShowCommand(CliHome home, CliConsoles consoles) : AsyncCommand<DatasetsShowSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsShowSettings settings, CancellationToken cancellationToken)
    {
        var id = Arguments.DatasetId(settings.Dataset);
        await using var session = home.Open(settings);
        var registered = await session.Backends.Registry.GetRequiredAsync(id, settings.Version, cancellationToken);
        consoles.Out.WriteRaw(DatasetDefinitionSerializer.Serialize(registered.Definition) + Environment.NewLine);
        return ExitCodes.Success;
    }
}
