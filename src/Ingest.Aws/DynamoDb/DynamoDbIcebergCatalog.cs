using Amazon.DynamoDBv2.Model;
using Ingest.Catalog;
using Ingest.Registry;

namespace Ingest.Aws.DynamoDb;

/// <summary>
/// An Iceberg catalog in the registry's DynamoDB table, for deployments without the Glue Data Catalog (local S3 and
/// DynamoDB servers): one item per catalog table (<c>pk = ICEBERG#{database}.{table}</c>, <c>sk = POINTER</c>) holding
/// <c>metadata_location</c> and <c>previous_metadata_location</c>, as Iceberg's own DynamoDB catalog keeps them. A
/// commit is one conditional write (<c>metadata_location = :expected</c>, or <c>attribute_not_exists(pk)</c> to create),
/// so two writers cannot both win. Athena reads Glue: on AWS the Glue catalog is used instead.
/// </summary>
internal sealed class DynamoDbIcebergCatalog(DynamoDbTable table) : IIcebergCatalog
{
    private const string Pointer = "POINTER";

    public async Task<string?> LoadAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var item = await table.GetAsync(Key(definition), Pointer, cancellationToken).ConfigureAwait(false);
        return item is not null && item.TryGetValue("metadata_location", out var location) ? location.S : null;
    }

    public Task<bool> TryCommitAsync(RegisteredDefinition definition, string? expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(newMetadataLocation);
        var item = DynamoDbTable.Key(Key(definition), Pointer);
        item["metadata_location"] = DynamoDbTable.S(newMetadataLocation);
        item["dataset"] = DynamoDbTable.S(definition.Dataset.ToString());
        if (expectedMetadataLocation is null)
        {
            return table.TryPutAsync(item, "attribute_not_exists(pk)", null, cancellationToken);
        }

        item["previous_metadata_location"] = DynamoDbTable.S(expectedMetadataLocation);
        return table.TryPutAsync(item, "metadata_location = :expected", new Dictionary<string, AttributeValue> { [":expected"] = DynamoDbTable.S(expectedMetadataLocation) }, cancellationToken);
    }

    private static string Key(RegisteredDefinition definition)
        => $"ICEBERG#{definition.Definition.CatalogDatabase}.{definition.Definition.CatalogTable}";
}
