using System.Collections.Concurrent;
using Ingest.Cli.Hosting;
using Ingest.Testing;
using Spectre.Console.Testing;

namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>The result of one in-process CLI invocation.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">What the command wrote to its output console.</param>
/// <param name="Errors">What it wrote to its error console.</param>
public sealed record CliResult(int ExitCode, string Output, string Errors)
{
    /// <summary>Gets output and errors together, for assertion messages.</summary>
    public string All => Output + Errors;

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}{Output}{Errors}";
}

/// <summary>
/// Runs the CLI in process against a temporary home folder, with <see cref="TestConsole"/>s. Each harness owns a
/// home folder (deleted on dispose) and, with in-memory backends, one backend set per home shared across invocations.
/// </summary>
public sealed class CliHarness : IDisposable
{
    private readonly IBackendFactory _backends;

    private CliHarness(IBackendFactory backends, params string[] targetArgs)
    {
        _backends = backends;
        TargetArgs = [.. targetArgs];
        Root = Path.Combine(Path.GetTempPath(), "ingest-cli-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Home = Path.Combine(Root, "home");
    }

    /// <summary>Gets a scratch folder for input files; the home folder is inside it.</summary>
    public string Root { get; }

    /// <summary>Gets the home folder passed with --home.</summary>
    public string Home { get; }

    /// <summary>A harness over in-memory backends (no query engine), for the commands that only need a registry and ledger.</summary>
    public static CliHarness InMemory() => new(new InMemoryBackendFactory());

    /// <summary>A harness over the real local backends (Ingest.Local), as the installed tool uses.</summary>
    public static CliHarness Local() => new(new LocalBackendFactory());

    /// <summary>
    /// A harness over the AWS backends: every invocation gets <c>--target aws</c> and the settings options added to
    /// <see cref="TargetArgs"/>, and reads <see cref="Environment"/> instead of the process's environment variables.
    /// </summary>
    public static CliHarness Aws() => new(new LocalBackendFactory(), "--target", "aws");

    /// <summary>Gets the options given to every invocation after <c>--home</c> (the target and its settings).</summary>
    public List<string> TargetArgs { get; }

    /// <summary>Gets the environment variables the CLI sees as INGEST_Aws__* settings (AWS target only).</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets how often <c>run --engine glue</c> polls the execution (short: the loopback server answers at once).</summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Runs <c>ingest --home {Home} args…</c>.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs <c>ingest --home {Home} args…</c> with a cancellation token.</summary>
    public async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new TestConsole();
        output.Profile.Width = 250;
        var errors = new TestConsole();
        errors.Profile.Width = 250;
        var code = await IngestCli.RunAsync(["--home", Home, .. TargetArgs, .. args], output, errors, _backends, new AwsBackendFactory(Environment) { PollingInterval = PollingInterval }, cancellationToken);
        return new CliResult(code, output.Output, errors.Output);
    }

    /// <summary>Runs <c>ingest init</c> and asserts it succeeded.</summary>
    public async Task InitAsync()
    {
        var result = await RunAsync("init");
        result.ExitCode.Should().Be(0, result.ToString());
    }

    /// <summary>Writes a file under <see cref="Root"/> and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still hold a file; the temp folder is cleaned up later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class InMemoryBackendFactory : IBackendFactory
    {
        private readonly ConcurrentDictionary<string, IngestBackends> _homes = new(StringComparer.Ordinal);

        public IngestBackends Create(string home) => _homes.GetOrAdd(home, _ => InMemoryIngest.CreateBackends());
    }
}
