using Ingest.Catalog;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Aws.Glue;

/// <summary>
/// The Glue Data Catalog as Iceberg catalog, as Iceberg's own Glue catalog commits: the table carries
/// <c>table_type=ICEBERG</c>, <c>metadata_location</c> and <c>previous_metadata_location</c>; a commit is
/// <c>UpdateTable</c> on the <c>VersionId</c> read together with the expected metadata location, so a writer that
/// lost the race gets <c>ConcurrentModificationException</c> (answered <see langword="false"/>) and Athena never sees
/// a half-done change. The table's columns follow the definition (Glue types), with no partition keys: Iceberg
/// partitions are hidden and registered nowhere.
/// </summary>
internal sealed class GlueIcebergCatalog(IGlueClient glue, GlueCatalog catalog, ILakeStorage lake) : IIcebergCatalog
{
    public const string TableTypeParameter = "table_type";
    public const string MetadataLocationParameter = "metadata_location";
    public const string PreviousMetadataLocationParameter = "previous_metadata_location";

    public async Task<string?> LoadAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var def = definition.Definition;
        var table = await glue.GetTableAsync(def.CatalogDatabase, def.CatalogTable, cancellationToken).ConfigureAwait(false);
        if (table is null)
        {
            return null;
        }

        if (!IsIceberg(table))
        {
            throw new IngestException(
                $"Glue table {def.CatalogDatabase}.{def.CatalogTable} exists but is not an Iceberg table (no {TableTypeParameter}=ICEBERG); dataset {def.Id} is an Iceberg dataset. Drop the old table or set catalog.table to a new name.")
            {
                Dataset = def.Id,
            };
        }

        return table.Table.Parameters.GetValueOrDefault(MetadataLocationParameter);
    }

    public async Task<bool> TryCommitAsync(RegisteredDefinition definition, string? expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(newMetadataLocation);
        var def = definition.Definition;
        var database = def.CatalogDatabase;
        if (expectedMetadataLocation is null)
        {
            await catalog.EnsureDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
            try
            {
                await glue.CreateTableAsync(database, Input(definition, newMetadataLocation, null), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "AlreadyExistsException")
            {
                return false;
            }
        }

        var current = await glue.GetTableAsync(database, def.CatalogTable, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Table.Parameters.GetValueOrDefault(MetadataLocationParameter) != expectedMetadataLocation)
        {
            return false;
        }

        try
        {
            await glue.UpdateTableAsync(database, Input(definition, newMetadataLocation, expectedMetadataLocation), current.VersionId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ConcurrentModificationException")
        {
            return false;
        }
        catch (AwsServiceException ex) when (ex.IsTransient)
        {
            // A server error or timeout after sending: the update may have been applied.
            throw new IcebergCommitStateUnknownException($"The Glue UpdateTable of {database}.{def.CatalogTable} failed without a clear answer: {ex.Message}", ex) { Dataset = def.Id };
        }
    }

    private static bool IsIceberg(GlueTable table)
        => string.Equals(table.Table.Parameters.GetValueOrDefault(TableTypeParameter), "ICEBERG", StringComparison.OrdinalIgnoreCase);

    private GlueTableInput Input(RegisteredDefinition registered, string metadataLocation, string? previous)
    {
        var definition = registered.Definition;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["EXTERNAL"] = "TRUE",
            [TableTypeParameter] = "ICEBERG",
            [MetadataLocationParameter] = metadataLocation,
            ["ingest.dataset"] = definition.Id.ToString(),
            [GlueTables.DefinitionVersionProperty] = registered.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (previous is not null)
        {
            parameters[PreviousMetadataLocationParameter] = previous;
        }

        var location = lake.GetAddress(LakeZone.Curated, DatasetLayout.DatasetPrefix(definition.Id)).TrimEnd('/');
        return new GlueTableInput(
            definition.CatalogTable,
            definition.Description,
            "EXTERNAL_TABLE",
            parameters,
            GlueTables.Storage(definition, location),
            []);
    }
}
