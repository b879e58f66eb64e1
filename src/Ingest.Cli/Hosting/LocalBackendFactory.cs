namespace Ingest.Cli.Hosting;

/// <summary>The backends of Ingest.Local: a folder lake, SQLite registry and ledger, DuckDB catalog and query.</summary>
internal sealed class LocalBackendFactory : IBackendFactory
{
    public IngestBackends Create(string home)
        => throw new CliException("The local backends (Ingest.Local) are not available in this build yet.", ExitCodes.Unexpected);
}
