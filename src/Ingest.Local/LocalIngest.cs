using Ingest.Local.DuckDb;
using Ingest.Local.Sqlite;
using Ingest.Local.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Local;

/// <summary>Creates the embedded local backends: a folder lake, SQLite registry and ledger, DuckDB catalog and query engine.</summary>
public static class LocalIngest
{
    /// <summary>The file name of the SQLite registry and ledger under the root.</summary>
    public const string DatabaseFileName = "ingest.db";

    /// <summary>The file name of the DuckDB catalog under the root.</summary>
    public const string CatalogFileName = "catalog.duckdb";

    /// <summary>The folder name of the lake under the root.</summary>
    public const string LakeFolderName = "lake";

    /// <summary>
    /// Creates the backends over <see cref="LocalIngestOptions.Root"/>: <see cref="IngestBackends.Lake"/>,
    /// <see cref="IngestBackends.Registry"/>, <see cref="IngestBackends.Ledger"/>, <see cref="IngestBackends.Catalog"/> and
    /// <see cref="IngestBackends.Query"/> are all set. Nothing is created on disk until first use.
    /// </summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock for registration times and lease expiry; the system clock when <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    /// <remarks>Several processes may share one root: SQLite serializes their writes, and the catalog file is opened only briefly.</remarks>
    public static IngestBackends CreateBackends(LocalIngestOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Ingest.Local");
        var root = Path.GetFullPath(options.Root);

        var lake = new FolderLakeStorage(Path.Combine(root, LakeFolderName), logger);
        var zones = new FolderZones(lake.Root);
        var store = new SqliteStore(Path.Combine(root, DatabaseFileName), options.BusyTimeout, logger);
        var registry = new SqliteSchemaRegistry(store, clock);
        var iceberg = new SqliteIcebergCatalog(store);
        return new IngestBackends
        {
            Lake = lake,
            Registry = registry,
            Ledger = new SqliteRunLedger(store, clock),
            IcebergCatalog = iceberg,
            Catalog = new DuckDbCatalog(Path.Combine(root, CatalogFileName), zones, lake, iceberg, registry, clock, logger),
            Query = new DuckDbQueryEngine(registry, zones, lake, iceberg, logger),
        };
    }
}
