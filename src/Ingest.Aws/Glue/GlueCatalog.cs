using System.Globalization;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Aws.Glue;

/// <summary>
/// The Glue Data Catalog as <see cref="ICatalog"/>: one database per domain (or <see cref="CatalogSettings.Database"/>), one
/// external Parquet table per dataset over its curated prefix. Tables are updated with the version id read just before, so a
/// concurrent change is re-read instead of overwritten, and never to an older definition version than they hold. Partitions
/// are registered with BatchCreatePartition (100 a request, existing ones count as success), or not at all with projection.
/// </summary>
internal sealed class GlueCatalog : ICatalog
{
    private const int MaxUpdateAttempts = 5;
    private const int MaxPartitionAttempts = 4;

    private readonly IGlueClient _glue;
    private readonly ILakeStorage _lake;
    private readonly TimeProvider _timeProvider;

    public GlueCatalog(IGlueClient glue, ILakeStorage lake, TimeProvider? timeProvider = null)
    {
        _glue = glue;
        _lake = lake;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public async Task EnsureTableAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var database = definition.Definition.CatalogDatabase;
        await EnsureDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
        if (definition.Definition.TableFormat == TableFormat.Iceberg)
        {
            // An Iceberg table is created and updated by its commits (GlueIcebergCatalog): its columns follow its schema.
            return;
        }

        var input = GlueTables.Build(definition, Location(definition.Definition));
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var existing = await _glue.GetTableAsync(database, input.Name, cancellationToken).ConfigureAwait(false);
            try
            {
                if (existing is null)
                {
                    await _glue.CreateTableAsync(database, input, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (HeldVersion(existing) is { } held && held >= definition.Version)
                {
                    // The table already shows this version or a newer one (another writer got there first): never go back.
                    return;
                }

                await _glue.UpdateTableAsync(database, input, existing.VersionId, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is "AlreadyExistsException" or "ConcurrentModificationException")
            {
                // Another writer created or changed the table between our read and write: read it again.
                await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new ConcurrencyConflictException($"Glue table {database}.{input.Name} kept changing while version {definition.Version} of {definition.Dataset} was written to it ({MaxUpdateAttempts} attempts); retry.")
        {
            Dataset = definition.Dataset,
            DefinitionVersion = definition.Version,
            IsTransient = true,
        };
    }

    public async Task AddPartitionsAsync(RegisteredDefinition definition, IReadOnlyList<string> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(partitions);
        var def = definition.Definition;
        if (def.TableFormat == TableFormat.Iceberg || def.Catalog.PartitionStrategy == PartitionStrategy.Projection || def.Partitioning.Count == 0 || partitions.Count == 0)
        {
            return;
        }

        var location = Location(def);
        var inputs = partitions
            .Select(p => p.Trim('/'))
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(p => new GluePartitionInput(Values(def, p), GlueTables.Storage(def, location + p + "/")))
            .ToList();
        foreach (var batch in inputs.Chunk(GlueClient.MaxPartitionsPerBatch))
        {
            await CreateBatchAsync(definition, batch, cancellationToken).ConfigureAwait(false);
        }
    }

    internal string Location(DatasetDefinition definition) => _lake.GetAddress(LakeZone.Curated, DatasetLayout.DatasetPrefix(definition.Id));

    private async Task CreateBatchAsync(RegisteredDefinition definition, IReadOnlyList<GluePartitionInput> batch, CancellationToken cancellationToken)
    {
        var def = definition.Definition;
        var pending = batch;
        for (var attempt = 1; ; attempt++)
        {
            var errors = await _glue.BatchCreatePartitionAsync(def.CatalogDatabase, def.CatalogTable, pending, cancellationToken).ConfigureAwait(false);
            var failed = errors.Where(e => e.ErrorCode != "AlreadyExistsException").ToList();
            if (failed.Count == 0)
            {
                return;
            }

            var transient = failed.All(e => Protocol.AwsJsonClient.IsTransient(e.ErrorCode, 0));
            if (!transient || attempt >= MaxPartitionAttempts)
            {
                var first = failed[0];
                throw new IngestException(string.Create(CultureInfo.InvariantCulture, $"Glue did not register {failed.Count} partition(s) of {def.CatalogDatabase}.{def.CatalogTable}, such as ({string.Join(", ", first.Values)}): {first.ErrorCode}: {first.ErrorMessage}"))
                {
                    Dataset = definition.Dataset,
                    DefinitionVersion = definition.Version,
                    IsTransient = transient,
                };
            }

            var retry = failed.Select(e => string.Join('\u0001', e.Values)).ToHashSet(StringComparer.Ordinal);
            pending = [.. pending.Where(p => retry.Contains(string.Join('\u0001', p.Values)))];
            await Task.Delay(TimeSpan.FromMilliseconds(200 << attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        if (await _glue.GetDatabaseAsync(database, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        try
        {
            await _glue.CreateDatabaseAsync(new GlueDatabase(database, "Created by Ingest."), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "AlreadyExistsException")
        {
            // Created concurrently.
        }
    }

    private static int? HeldVersion(GlueTable table)
        => table.Table.Parameters.TryGetValue(GlueTables.DefinitionVersionProperty, out var text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;

    /// <summary>The values of <c>a=1/b=2</c> in partition key order.</summary>
    private static List<string> Values(DatasetDefinition definition, string partition)
    {
        var segments = partition.Split('/');
        var names = definition.Partitioning.Select(p => p.EffectiveName).ToList();
        if (segments.Length != names.Count)
        {
            throw new ArgumentException($"Partition '{partition}' does not have the {names.Count} level(s) of {definition.Id} ({string.Join('/', names.Select(n => n + "=…"))}).", nameof(partition));
        }

        var values = new List<string>(segments.Length);
        for (var i = 0; i < segments.Length; i++)
        {
            var eq = segments[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !string.Equals(segments[i][..eq], names[i], StringComparison.Ordinal))
            {
                throw new ArgumentException($"Partition '{partition}' level {i + 1} is not {names[i]}=value.", nameof(partition));
            }

            // Folder values are percent-encoded as Hive does (Engine/Writing/HivePartitionValue.cs); Glue holds the values.
            values.Add(Uri.UnescapeDataString(segments[i][(eq + 1)..]));
        }

        return values;
    }
}
