using Ingest.Catalog;
using Ingest.Registry;

namespace Ingest.Local.Sqlite;

/// <summary>
/// The local Iceberg catalog: a row per table in <c>iceberg_tables</c> of the SQLite file, in the column layout of
/// Iceberg's SQL catalog (catalog <c>ingest</c>, namespace = the catalog database, name = the catalog table). A commit
/// is one conditional <c>UPDATE … WHERE metadata_location = previous</c> inside <c>BEGIN IMMEDIATE</c>, so two
/// processes on one file cannot both win. After each commit <c>metadata/version-hint.text</c> is not written here: the
/// engine writes it for file-based readers (it is a hint, never the commit point).
/// </summary>
internal sealed class SqliteIcebergCatalog(SqliteStore store) : IIcebergCatalog
{
    /// <summary>The catalog name in <c>iceberg_tables</c>.</summary>
    public const string CatalogName = "ingest";

    public async Task<string?> LoadAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = SqliteStore.Command(
                connection,
                null,
                "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $c AND table_namespace = $ns AND table_name = $t",
                ("$c", CatalogName),
                ("$ns", definition.Definition.CatalogDatabase),
                ("$t", definition.Definition.CatalogTable));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    public Task<bool> TryCommitAsync(RegisteredDefinition definition, string? expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(newMetadataLocation);
        var ns = definition.Definition.CatalogDatabase;
        var table = definition.Definition.CatalogTable;
        return store.WriteAsync<bool>(
            async (connection, transaction) =>
            {
                using var command = expectedMetadataLocation is null
                    ? SqliteStore.Command(
                        connection,
                        transaction,
                        "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location) VALUES ($c, $ns, $t, $new, NULL) ON CONFLICT DO NOTHING",
                        ("$c", CatalogName),
                        ("$ns", ns),
                        ("$t", table),
                        ("$new", newMetadataLocation))
                    : SqliteStore.Command(
                        connection,
                        transaction,
                        "UPDATE iceberg_tables SET metadata_location = $new, previous_metadata_location = $old WHERE catalog_name = $c AND table_namespace = $ns AND table_name = $t AND metadata_location = $old",
                        ("$c", CatalogName),
                        ("$ns", ns),
                        ("$t", table),
                        ("$new", newMetadataLocation),
                        ("$old", expectedMetadataLocation));
                var swapped = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
                return (swapped, swapped);
            },
            cancellationToken);
    }
}
