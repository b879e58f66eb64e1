using Ingest.Cli.Hosting;
using Ingest.Definitions;
using Ingest.Definitions.Inference;
using Ingest.Engine;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Datasets;

/// <summary>
/// <c>ingest datasets validate</c>: checks definition files without registering them. When the home folder exists and
/// the dataset is registered, the file must also be compatible with its latest version. With <c>--against</c>, each
/// definition is also checked against a data file without ingesting it (<see cref="DefinitionCheck"/>): the header mapping,
/// the file's columns no column reads, and the first rejects with their reasons. Exit 1 when any file is invalid or any
/// record of the data file would be rejected.
/// </summary>
internal sealed class DatasetsValidateCommand(CliHome home, CliConsoles consoles) : AsyncCommand<DatasetsValidateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsValidateSettings settings, CancellationToken cancellationToken)
    {
        var files = settings.Files.Select(f => Arguments.ExistingFile(f, "Definition file")).ToList();
        var data = settings.Against is null ? null : Arguments.ExistingFile(settings.Against, "Data file");
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
                if (data is not null && !await CheckAgainstAsync(definition, data, settings.Limit, cancellationToken))
                {
                    invalid++;
                }
            }
            catch (Exception ex) when (ex is DefinitionException or SchemaCompatibilityException)
            {
                invalid++;
                IngestCli.WriteError(consoles.Error, ex.Message);
            }
        }

        return invalid == 0 ? ExitCodes.Success : ExitCodes.DataFailed;
    }

    /// <summary>Reads the data file as the definition says and prints what a run would do with it; false when it would reject or fail anything.</summary>
    private async Task<bool> CheckAgainstAsync(DatasetDefinition definition, string data, int limit, CancellationToken cancellationToken)
    {
        if (definition.Source.Format == SourceFormat.Database)
        {
            throw new CliException($"{definition.Id} reads a database (source.format database): there is no data file to check it against; leave --against out.");
        }

        var result = await DefinitionCheck.CheckAsync(definition, IngestInput.FromFile(data), new DefinitionCheckOptions { MaxRejectExamples = limit }, cancellationToken);
        consoles.Out.WriteRaw(DefinitionCheck.Describe(result));
        return result.IsClean;
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
