using Ingest.Local;

namespace Ingest.Cli.Hosting;

/// <summary>The backends of Ingest.Local: a folder lake, SQLite registry and ledger, DuckDB catalog and query.</summary>
internal sealed class LocalBackendFactory : IBackendFactory
{
    public IngestBackends Create(string home)
    {
        try
        {
            return LocalIngest.CreateBackends(new LocalIngestOptions { Root = home });
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--home {home}: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
    }
}
