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
/// for a single writer process); a call that finds it locked retries for a while. Each table view records the definition
/// version it was written from (its comment), and a call with an older version (a run that started before a registration)
/// writes the registry's latest version instead, never taking the newer version's columns away.
/// </summary>
internal sealed class DuckDbCatalog(string catalogPath, FolderZones lake, ILakeStorage storage, IIcebergCatalog iceberg, ISchemaRegistry registry, TimeProvider timeProvider, ILogger logger) : ICatalog
{
    private const string VersionComment = "ingest definition v";

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
        cancellationToken.ThrowIfCancellationRequested();

        // Names that are not identifiers are refused before the file is opened (or created).
        _ = DuckDbViews.Quote(definition.Definition.CatalogDatabase, "catalog.database") + DuckDbViews.Quote(definition.Definition.CatalogTable, "catalog.table");
        Directory.CreateDirectory(Path.GetDirectoryName(CatalogPath)!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = new DuckDBConnection("DataSource=" + CatalogPath);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var written = definition;
                    if (await HeldVersionAsync(connection, definition.Definition, cancellationToken).ConfigureAwait(false) is { } held && held > definition.Version)
                    {
                        // The view shows a newer version: write the latest registered one (the files may have changed), or leave it.
                        var latest = await registry.GetAsync(definition.Dataset, cancellationToken: cancellationToken).ConfigureAwait(false);
                        if (latest is null || latest.Version < held)
                        {
                            return;
                        }

                        written = latest;
                    }

                    var files = written.Definition.TableFormat == TableFormat.Iceberg
                        ? (await TableSnapshots.ResolveAsync(written, storage, iceberg, null, cancellationToken).ConfigureAwait(false)).Files
                        : null;
                    var sql = DuckDbViews.CreateViewsSql(written, lake, files)
                        + $"COMMENT ON VIEW {DuckDbViews.Quote(written.Definition.CatalogDatabase, "catalog.database")}.{DuckDbViews.Quote(written.Definition.CatalogTable, "catalog.table")} IS {DuckDbViews.Literal(VersionComment + written.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))};";
                    await DuckDbQueryEngine.ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                    Log.ViewsWritten(logger, written.Dataset.ToString(), written.Version, CatalogPath, sql.Contains("read_parquet", StringComparison.Ordinal) ? "over files" : "empty");
                }

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

    /// <summary>The definition version the table's view was written from (its comment), or <see langword="null"/> when there is no view.</summary>
    private static async Task<int?> HeldVersionAsync(DuckDBConnection connection, DatasetDefinition definition, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "SELECT comment FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2";
            command.Parameters.Add(new DuckDBParameter(definition.CatalogDatabase));
            command.Parameters.Add(new DuckDBParameter(definition.CatalogTable));
            var comment = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            return comment is not null && comment.StartsWith(VersionComment, StringComparison.Ordinal)
                && int.TryParse(comment.AsSpan(VersionComment.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
                ? version
                : null;
        }
    }
}
