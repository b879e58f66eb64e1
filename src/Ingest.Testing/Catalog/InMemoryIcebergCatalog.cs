using Ingest.Catalog;
using Ingest.Registry;

namespace Ingest.Testing;

/// <summary>
/// An <see cref="IIcebergCatalog"/> in memory: one metadata pointer per catalog table, swapped under a lock, so it
/// behaves as the real catalogs do for writers of one process. Thread-safe.
/// </summary>
public sealed class InMemoryIcebergCatalog : IIcebergCatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Database, string Table), (string Current, string? Previous)> _pointers = [];

    /// <summary>Gets how many commits succeeded.</summary>
    public int Commits { get; private set; }

    /// <inheritdoc />
    public Task<string?> LoadAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_gate)
        {
            return Task.FromResult(_pointers.TryGetValue(Key(definition), out var pointer) ? pointer.Current : null);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryCommitAsync(RegisteredDefinition definition, string? expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(newMetadataLocation);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var key = Key(definition);
            var exists = _pointers.TryGetValue(key, out var pointer);
            if (exists ? pointer.Current != expectedMetadataLocation : expectedMetadataLocation is not null)
            {
                return Task.FromResult(false);
            }

            _pointers[key] = (newMetadataLocation, expectedMetadataLocation);
            Commits++;
            return Task.FromResult(true);
        }
    }

    private static (string, string) Key(RegisteredDefinition definition) => (definition.Definition.CatalogDatabase, definition.Definition.CatalogTable);
}
