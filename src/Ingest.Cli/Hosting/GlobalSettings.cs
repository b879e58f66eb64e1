using System.ComponentModel;
using Spectre.Console.Cli;

namespace Ingest.Cli.Hosting;

/// <summary>The options every command accepts; command settings derive from it.</summary>
internal class GlobalSettings : CommandSettings
{
    /// <summary>The default home folder, relative to the working directory.</summary>
    public const string DefaultHome = ".ingest";

    /// <summary>The environment variable that overrides <see cref="DefaultHome"/>.</summary>
    public const string HomeVariable = "INGEST_HOME";

    [CommandOption("--home <DIR>")]
    [Description("The ingest home folder (lake, registry, ledger). Defaults to $INGEST_HOME, else .ingest")]
    public string? Home { get; init; }

    [CommandOption("--verbose")]
    [Description("Show stack traces of errors and the engine's log")]
    public bool Verbose { get; init; }

    /// <summary>Gets the home folder as an absolute path.</summary>
    public string ResolveHome()
    {
        var home = Home;
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetEnvironmentVariable(HomeVariable);
        }

        return Path.GetFullPath(string.IsNullOrWhiteSpace(home) ? DefaultHome : home);
    }
}
