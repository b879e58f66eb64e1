using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Ingest.Cli.Hosting;

/// <summary>Spectre's help with the exit codes appended to every command's help.</summary>
internal sealed class CliHelpProvider(ICommandAppSettings settings) : HelpProvider(settings)
{
    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command)
        => [.. base.GetFooter(model, command), new Text(Environment.NewLine + ExitCodes.HelpText + Environment.NewLine)];
}
