namespace Ingest.Cli.Hosting;

/// <summary>An error found by the CLI itself (a missing file, a bad combination of options), reported as one line with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    /// <summary>Gets the process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
