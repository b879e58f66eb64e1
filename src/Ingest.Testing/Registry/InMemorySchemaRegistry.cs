using Ingest.Definitions;
using Ingest.Registry;

namespace Ingest.Testing;

/// <summary>
/// A <see cref="ISchemaRegistry"/> kept in memory, for unit tests. Thread-safe; the version check and the store
/// happen under one lock, so concurrent registrations of the same version number behave as in DynamoDB: one wins.
/// </summary>
public sealed class InMemorySchemaRegistry : SchemaRegistryBase
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, List<RegisteredDefinition>> _datasets = new(StringComparer.Ordinal);

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock used for <see cref="RegisteredDefinition.RegisteredAt"/>; the system clock when <see langword="null"/>.</param>
    public InMemorySchemaRegistry(TimeProvider? timeProvider = null)
        : base(timeProvider ?? TimeProvider.System)
    {
    }

    /// <inheritdoc />
    public override Task<RegisteredDefinition?> GetAsync(DatasetId dataset, int? version = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_datasets.TryGetValue(dataset.ToString(), out var versions) || versions.Count == 0)
            {
                return Task.FromResult<RegisteredDefinition?>(null);
            }

            var found = version is { } v ? versions.Find(d => d.Version == v) : versions[^1];
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<RegisteredDefinition> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return AsyncSequence.From<RegisteredDefinition>([.. _datasets.Values.Where(v => v.Count > 0).Select(v => v[^1])], cancellationToken);
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<RegisteredDefinition> ListVersionsAsync(DatasetId dataset, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return AsyncSequence.From<RegisteredDefinition>(_datasets.TryGetValue(dataset.ToString(), out var versions) ? [.. versions] : [], cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override Task<bool> TryStoreAsync(RegisteredDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var id = definition.Dataset.ToString();
            if (!_datasets.TryGetValue(id, out var versions))
            {
                versions = [];
                _datasets.Add(id, versions);
            }

            if (definition.Version != versions.Count + 1)
            {
                return Task.FromResult(false);
            }

            versions.Add(definition);
            return Task.FromResult(true);
        }
    }

}
