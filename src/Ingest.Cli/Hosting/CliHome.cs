namespace Ingest.Cli.Hosting;

/// <summary>The ingest home folder of one invocation and access to its backends.</summary>
internal sealed class CliHome(IBackendFactory factory)
{
    /// <summary>Returns whether the home folder exists.</summary>
    public static bool Exists(string home) => Directory.Exists(home);

    /// <summary>Opens the backends of an existing home folder.</summary>
    /// <exception cref="CliException">The folder does not exist.</exception>
    public BackendSession Open(GlobalSettings settings)
    {
        var home = settings.ResolveHome();
        if (!Exists(home))
        {
            throw new CliException($"No ingest home at {home}: run 'ingest init' first, or pass --home (or set {GlobalSettings.HomeVariable}).");
        }

        return new BackendSession(factory.Create(home));
    }

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
