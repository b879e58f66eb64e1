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
        if (settings.Format == DocumentOutputFormat.Json)
        {
            // The definition as the registry holds it, inside an envelope with what the registry knows about it.
            var definition = System.Text.Json.Nodes.JsonNode.Parse(DatasetDefinitionSerializer.Serialize(registered.Definition));
            consoles.Out.WriteRaw(MachineOutput.Json(new { id = registered.Dataset.ToString(), version = registered.Version, registeredAt = registered.RegisteredAt, fingerprint = registered.Fingerprint, definition }) + "\n");
            return ExitCodes.Success;
        }

        consoles.Out.WriteRaw(DatasetDefinitionSerializer.Serialize(registered.Definition) + Environment.NewLine);
        return ExitCodes.Success;
    }
}
