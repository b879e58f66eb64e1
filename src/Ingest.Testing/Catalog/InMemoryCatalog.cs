using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;

namespace Ingest.Testing;

/// <summary>
/// An <see cref="ICatalog"/> that records the tables and partitions it is told about, for assertions in unit tests.
/// Thread-safe.
/// </summary>
public sealed class InMemoryCatalog : ICatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DatasetId, RegisteredDefinition> _tables = [];
    private readonly Dictionary<DatasetId, SortedSet<string>> _partitions = [];

    /// <summary>Gets the newest definition version each table was ensured with, keyed by dataset.</summary>
    public IReadOnlyDictionary<DatasetId, RegisteredDefinition> Tables
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<DatasetId, RegisteredDefinition>(_tables);
            }
        }
    }

    /// <summary>Gets the partitions registered for a dataset, in ordinal order (empty when none).</summary>
    public IReadOnlyList<string> GetPartitions(DatasetId dataset)
    {
        lock (_gate)
        {
            return _partitions.TryGetValue(dataset, out var set) ? [.. set] : [];
        }
    }

    /// <inheritdoc />
    public Task EnsureTableAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Never back to an older version (a run that started before a registration ensures its table late).
            if (!_tables.TryGetValue(definition.Dataset, out var held) || held.Version <= definition.Version)
            {
                _tables[definition.Dataset] = definition;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AddPartitionsAsync(RegisteredDefinition definition, IReadOnlyList<string> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(partitions);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_tables.ContainsKey(definition.Dataset))
            {
                throw new InvalidOperationException($"Dataset {definition.Dataset}: AddPartitionsAsync was called before EnsureTableAsync created its table.");
            }

            if (!_partitions.TryGetValue(definition.Dataset, out var set))
            {
                set = new SortedSet<string>(StringComparer.Ordinal);
                _partitions.Add(definition.Dataset, set);
            }

            set.UnionWith(partitions);
        }

        return Task.CompletedTask;
    }
}
