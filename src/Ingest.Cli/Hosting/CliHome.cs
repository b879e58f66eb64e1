using Ingest.Aws;

namespace Ingest.Cli.Hosting;

/// <summary>The target of one invocation (a home folder, or AWS) and access to its backends.</summary>
internal sealed class CliHome(IBackendFactory factory, AwsBackendFactory aws)
{
    /// <summary>Returns whether the home folder exists.</summary>
    public static bool Exists(string home) => Directory.Exists(home);

    /// <summary>Opens the backends of the target: an existing home folder, or AWS.</summary>
    /// <exception cref="CliException">The home folder does not exist, or an AWS setting is missing or invalid.</exception>
    public BackendSession Open(GlobalSettings settings)
        => TryOpen(settings) ?? throw new CliException(
            $"No ingest home at {settings.ResolveHome()}: run 'ingest init' first, or pass --home (or set {GlobalSettings.HomeVariable}).");

    /// <summary>Opens the backends of the target, or returns <see langword="null"/> when the local home folder does not exist.</summary>
    public BackendSession? TryOpen(GlobalSettings settings)
    {
        if (settings.ResolveTarget() == CliTarget.Aws)
        {
            return OpenAws(settings).Session;
        }

        var home = settings.ResolveHome();
        return Exists(home) ? new BackendSession(factory.Create(home)) : null;
    }

    /// <summary>Opens the AWS backends, with the options they were built from.</summary>
    public (AwsIngestOptions Options, BackendSession Session) OpenAws(GlobalSettings settings)
    {
        var (options, backends) = aws.Create(settings);
        return (options, new BackendSession(backends));
    }

    /// <summary>Builds the AWS options of the invocation without opening anything.</summary>
    public AwsIngestOptions LoadAwsOptions(GlobalSettings settings) => aws.LoadOptions(settings);

    /// <summary>Creates the home folder and opens its backends.</summary>
    public BackendSession Create(string home)
    {
        Directory.CreateDirectory(home);
        return new BackendSession(factory.Create(home));
    }
}

/// <summary>Backends opened for one command; disposing releases whatever they hold (connections, files).</summary>
internal sealed class BackendSession(IngestBackends backends) : IAsyncDisposable
{
    public IngestBackends Backends { get; } = backends;

    public async ValueTask DisposeAsync()
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var part in new object?[] { Backends.Query, Backends.Catalog, Backends.Ledger, Backends.Registry, Backends.Lake })
        {
            if (part is null || !seen.Add(part))
            {
                continue;
            }

            if (part is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (part is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }
}
