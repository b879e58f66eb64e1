using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2.Model;
using Ingest.Aws.Diagnostics;
using Ingest.Definitions;
using Ingest.Extensibility;
using Ingest.Registry;
using Microsoft.Extensions.Logging;

namespace Ingest.Aws.DynamoDb;

/// <summary>
/// The schema registry in DynamoDB. Items under <c>DATASET#{id}</c>: <c>DEF#{version:D6}</c> (immutable) and <c>DEF#LATEST</c>
/// (a copy of the latest version); attributes <c>version</c> (N), <c>registeredAt</c>, <c>fingerprint</c> and
/// <c>definition</c> (the canonical JSON; <c>definitionGz</c>, gzip, when larger than 350 KB), and <c>runSettings</c> (the
/// settings the state machine reads, see <see cref="RunSettings"/>). Item <c>DATASETS</c>/<c>{id}</c>
/// lists the datasets, so that <see cref="ListAsync"/> needs no scan.
/// </summary>
/// <remarks>
/// The latest pointer is the single point of decision: version N is won by the one writer whose put of <c>DEF#LATEST</c>
/// conditioned on "the pointer is at N-1" succeeds; it then writes <c>DEF#N</c>. A writer that stops between the two writes
/// leaves a pointer ahead of the version items; reads fall back to the pointer, and the next registration copies it to
/// <c>DEF#N</c> before moving on, so no version is ever lost or changed. Every write is a single conditional put
/// (no multi-item transaction), which DynamoDB and the local test server both implement.
/// </remarks>
internal sealed class DynamoDbSchemaRegistry : SchemaRegistryBase
{
    private readonly DynamoDbTable _table;
    private readonly ILogger _logger;

    public DynamoDbSchemaRegistry(DynamoDbTable table, TimeProvider timeProvider, ILogger logger)
        : base(timeProvider)
    {
        _table = table;
        _logger = logger;
    }

    public override async Task<RegisteredDefinition?> GetAsync(DatasetId dataset, int? version = null, CancellationToken cancellationToken = default)
    {
        if (version is <= 0)
        {
            return null;
        }

        var pk = Keys.Dataset(dataset);
        if (version is { } v)
        {
            var item = await _table.GetAsync(pk, Keys.Definition(v), cancellationToken).ConfigureAwait(false);
            if (item is not null)
            {
                return Read(item);
            }
        }

        var latest = await _table.GetAsync(pk, Keys.Latest, cancellationToken).ConfigureAwait(false);
        var registered = latest is null ? null : Read(latest);
        return version is null || registered?.Version == version ? registered : null;
    }

    public override async IAsyncEnumerable<RegisteredDefinition> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = new List<(string Pk, string Sk)>();
        await foreach (var entry in _table.QueryAsync(Keys.DatasetIndex, null, null, forward: true, null, cancellationToken).ConfigureAwait(false))
        {
            page.Add(("DATASET#" + entry[DynamoDbTable.SortKey].S, Keys.Latest));
            if (page.Count == 100)
            {
                foreach (var registered in await ReadLatestAsync(page, cancellationToken).ConfigureAwait(false))
                {
                    yield return registered;
                }

                page.Clear();
            }
        }

        foreach (var registered in await ReadLatestAsync(page, cancellationToken).ConfigureAwait(false))
        {
            yield return registered;
        }
    }

    public override async IAsyncEnumerable<RegisteredDefinition> ListVersionsAsync(DatasetId dataset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pk = Keys.Dataset(dataset);
        var last = 0;
        await foreach (var item in _table.QueryAsync(pk, Keys.FirstDefinition, Keys.LastDefinition, forward: true, null, cancellationToken).ConfigureAwait(false))
        {
            var registered = Read(item);
            last = registered.Version;
            yield return registered;
        }

        // The newest version may exist only as the pointer (its writer stopped before the version item).
        var latest = await _table.GetAsync(pk, Keys.Latest, cancellationToken).ConfigureAwait(false);
        if (latest is not null && Read(latest) is { } pointer && pointer.Version > last)
        {
            yield return pointer;
        }
    }

    protected override async Task<bool> TryStoreAsync(RegisteredDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var pk = Keys.Dataset(definition.Dataset);
        var item = Write(definition, Keys.Latest);
        if (definition.Version == 1)
        {
            // Listed before it exists, so that a dataset can never exist unlisted; listing skips entries without a pointer.
            await _table.TryPutAsync(
                new() { [DynamoDbTable.PartitionKey] = DynamoDbTable.S(Keys.DatasetIndex), [DynamoDbTable.SortKey] = DynamoDbTable.S(definition.Dataset.ToString()) },
                null,
                null,
                cancellationToken).ConfigureAwait(false);
            if (!await _table.TryPutAsync(item, "attribute_not_exists(pk)", null, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        else
        {
            // The previous version's item may be missing (its writer stopped after the pointer): copy it from the pointer first.
            var previous = await _table.GetAsync(pk, Keys.Latest, cancellationToken).ConfigureAwait(false);
            if (previous is null || ReadVersion(previous) != definition.Version - 1)
            {
                return false;
            }

            await StoreVersionItemAsync(previous, pk, definition.Version - 1, repair: true, cancellationToken).ConfigureAwait(false);
            var condition = new Dictionary<string, AttributeValue> { [":previous"] = DynamoDbTable.N(definition.Version - 1) };
            if (!await _table.TryPutAsync(item, "version = :previous", condition, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        await StoreVersionItemAsync(item, pk, definition.Version, repair: false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task StoreVersionItemAsync(Dictionary<string, AttributeValue> pointer, string pk, int version, bool repair, CancellationToken cancellationToken)
    {
        var copy = new Dictionary<string, AttributeValue>(pointer, StringComparer.Ordinal)
        {
            [DynamoDbTable.PartitionKey] = DynamoDbTable.S(pk),
            [DynamoDbTable.SortKey] = DynamoDbTable.S(Keys.Definition(version)),
        };

        // Immutable: the first copy stays (any later one carries the same content).
        if (await _table.TryPutAsync(copy, "attribute_not_exists(pk)", null, cancellationToken).ConfigureAwait(false) && repair)
        {
            Log.DefinitionRepaired(_logger, pk, version);
        }
    }

    private async Task<List<RegisteredDefinition>> ReadLatestAsync(List<(string Pk, string Sk)> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await _table.BatchGetAsync(keys, cancellationToken).ConfigureAwait(false);
        var byPk = items.ToDictionary(i => i[DynamoDbTable.PartitionKey].S, StringComparer.Ordinal);
        return [.. keys.Where(k => byPk.ContainsKey(k.Pk)).Select(k => Read(byPk[k.Pk]))];
    }

    private static Dictionary<string, AttributeValue> Write(RegisteredDefinition definition, string sk)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [DynamoDbTable.PartitionKey] = DynamoDbTable.S(Keys.Dataset(definition.Dataset)),
            [DynamoDbTable.SortKey] = DynamoDbTable.S(sk),
            ["version"] = DynamoDbTable.N(definition.Version),
            ["registeredAt"] = DynamoDbTable.S(definition.RegisteredAt.ToString("O", CultureInfo.InvariantCulture)),
            ["fingerprint"] = DynamoDbTable.S(definition.Fingerprint),
        };
        DynamoDbTable.SetBody(item, "definition", DatasetDefinitionSerializer.Serialize(definition.Definition), $"The definition of {definition.Dataset} v{definition.Version}");
        item[RunSettingsAttribute] = RunSettings(definition.Definition);
        return item;
    }

    /// <summary>The attribute of the definition items that holds <see cref="RunSettings"/>.</summary>
    internal const string RunSettingsAttribute = "runSettings";

    /// <summary>
    /// The few settings the ingest state machine reads, beside the definition: engine kind, Glue worker settings, the
    /// catalog table and whether partitions are registered. The state machine loads only these (a Step Functions state
    /// carries at most 256 KB, and a definition may be larger), so its size does not depend on the definition's.
    /// </summary>
    internal static AttributeValue RunSettings(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var glue = definition.Engine.Glue;
        return new AttributeValue
        {
            M = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
            {
                ["glue"] = new AttributeValue { BOOL = definition.Engine.Kind == EngineKind.Glue },
                ["workerType"] = DynamoDbTable.S(glue.WorkerType),
                ["numberOfWorkers"] = DynamoDbTable.N(glue.NumberOfWorkers),
                ["timeoutMinutes"] = DynamoDbTable.N(glue.TimeoutMinutes),
                ["registersPartitions"] = new AttributeValue { BOOL = definition.Catalog.PartitionStrategy == PartitionStrategy.Register && definition.Partitioning.Count > 0 },
                ["database"] = DynamoDbTable.S(definition.CatalogDatabase),
                ["table"] = DynamoDbTable.S(definition.CatalogTable),
            },
        };
    }

    private static int ReadVersion(Dictionary<string, AttributeValue> item) => int.Parse(item["version"].N, CultureInfo.InvariantCulture);

    private static RegisteredDefinition Read(Dictionary<string, AttributeValue> item)
    {
        var version = ReadVersion(item);
        var definition = DatasetDefinitionSerializer.DeserializeRegistered(
            DynamoDbTable.GetBody(item, "definition"),
            string.Create(CultureInfo.InvariantCulture, $"registry item {DynamoDbTable.Describe(item)} v{version}"));
        return new RegisteredDefinition(
            definition,
            version,
            DateTimeOffset.Parse(item["registeredAt"].S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            item["fingerprint"].S);
    }
}
