namespace Ingest.Cli.Hosting;

/// <summary>Opens the backends of an ingest home folder.</summary>
internal interface IBackendFactory
{
    /// <summary>Opens (creating when needed) the backends rooted at <paramref name="home"/>.</summary>
    IngestBackends Create(string home);
}
