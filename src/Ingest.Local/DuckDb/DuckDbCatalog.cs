using DuckDB.NET.Data;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Storage;
using Ingest.Local.Diagnostics;
using Ingest.Registry;
using Microsoft.Extensions.Logging;

namespace Ingest.Local.DuckDb;

/// <summary>
/// The local catalog: the views of <see cref="DuckDbViews"/> persisted in <c>{Root}/catalog.duckdb</c>, so that a person
/// can open the lake with the <c>duckdb</c> CLI. The file is opened only for the length of one call (DuckDB locks it
/// for a single writer process); a call that finds it locked retries for a while.
/// </summary>
internal sealed class DuckDbCatalog(string catalogPath, FolderZones lake, ILakeStorage storage, IIcebergCatalog iceberg, TimeProvider timeProvider, ILogger logger) : ICatalog
{
    private static readonly TimeSpan[] Backoff = [.. Enumerable.Range(0, 12).Select(i => TimeSpan.FromMilliseconds(Math.Min(1000, 25 << i)))];

    public string CatalogPath { get; } = Path.GetFullPath(catalogPath);

    public Task EnsureTableAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
        => WriteViewsAsync(definition, cancellationToken);

    /// <summary>
    /// Refreshes the views: a Hive table's folders are read by glob, so new partitions need no registration, but a dataset
    /// whose first files just arrived turns from a typed empty view into one over <c>read_parquet</c>; an Iceberg table's
    /// view is rewritten over its new snapshot's files.
    /// </summary>
    public Task AddPartitionsAsync(RegisteredDefinition definition, IReadOnlyList<string> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return WriteViewsAsync(definition, cancellationToken);
    }

    private async Task WriteViewsAsync(RegisteredDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var files = definition.Definition.TableFormat == TableFormat.Iceberg
            ? (await TableSnapshots.ResolveAsync(definition, storage, iceberg, null, cancellationToken).ConfigureAwait(false)).Files
            : null;
        var sql = DuckDbViews.CreateViewsSql(definition, lake, files);
        Directory.CreateDirectory(Path.GetDirectoryName(CatalogPath)!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = new DuckDBConnection("DataSource=" + CatalogPath);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await DuckDbQueryEngine.ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                }

                Log.ViewsWritten(logger, definition.Dataset.ToString(), definition.Version, CatalogPath, sql.Contains("read_parquet", StringComparison.Ordinal) ? "over files" : "empty");
                return;
            }
            catch (DuckDBException ex) when (attempt < Backoff.Length && ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
            {
                Log.CatalogBusy(logger, CatalogPath, (int)Backoff[attempt].TotalMilliseconds);
                await Task.Delay(Backoff[attempt], timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (DuckDBException ex)
            {
                throw new IngestException($"Could not write the DuckDB views of {definition.Dataset} to {CatalogPath}: {ex.Message}", ex)
                {
                    Dataset = definition.Dataset,
                    DefinitionVersion = definition.Version,
                    Location = CatalogPath,
                };
            }
        }
    }
}
