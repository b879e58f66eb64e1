using Ingest.Definitions;

namespace Ingest.Registry;

/// <summary>
/// The schema registry: immutable, numbered definition versions per dataset. Registering a definition
/// identical to the latest returns the latest; a compatible change becomes the next version; an
/// incompatible one is refused with <see cref="SchemaCompatibilityException"/> before anything is stored.
/// Implementations: SQLite (Ingest.Local), memory (Ingest.Testing), DynamoDB (Ingest.Aws).
/// </summary>
public interface ISchemaRegistry
{
    /// <summary>Registers a definition and returns the version that holds it.</summary>
    /// <exception cref="DefinitionException">The definition is invalid.</exception>
    /// <exception cref="SchemaCompatibilityException">The definition is incompatible with the latest version.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer registered the same version number first.</exception>
    Task<RegisteredDefinition> RegisterAsync(DatasetDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a definition that may use the custom rule types and source formats of <paramref name="extensions"/> (the
    /// host's registrations): it is first checked against them — an unknown name, a rule's options it refuses, a format's
    /// <c>source.options</c> its reader refuses (<see cref="Sources.ISourceOptionsValidator"/>) — and nothing is stored when
    /// that fails. <see cref="RegisterAsync(DatasetDefinition, CancellationToken)"/> alone stores any well-formed custom name.
    /// </summary>
    /// <exception cref="DefinitionException">The definition is invalid, or does not fit the registrations of <paramref name="extensions"/>.</exception>
    /// <exception cref="SchemaCompatibilityException">The definition is incompatible with the latest version.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer registered the same version number first.</exception>
    Task<RegisteredDefinition> RegisterAsync(DatasetDefinition definition, IngestExtensions extensions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(extensions);
        DatasetDefinitionSerializer.EnsureValid(definition, extensions, definition.Id.ToString());
        return RegisterAsync(definition, cancellationToken);
    }

    /// <summary>Returns a version of a dataset's definition (the latest when <paramref name="version"/> is null), or <see langword="null"/>.</summary>
    Task<RegisteredDefinition?> GetAsync(DatasetId dataset, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the latest version of every dataset, ordered by id.</summary>
    IAsyncEnumerable<RegisteredDefinition> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists every version of a dataset, oldest first.</summary>
    IAsyncEnumerable<RegisteredDefinition> ListVersionsAsync(DatasetId dataset, CancellationToken cancellationToken = default);
}

/// <summary>A stored, immutable definition version.</summary>
/// <param name="Definition">The definition.</param>
/// <param name="Version">The version number, 1 for the first.</param>
/// <param name="RegisteredAt">When it was registered.</param>
/// <param name="Fingerprint">The SHA-256 of its canonical form (<see cref="DatasetDefinitionSerializer.Fingerprint"/>).</param>
public sealed record RegisteredDefinition(DatasetDefinition Definition, int Version, DateTimeOffset RegisteredAt, string Fingerprint)
{
    /// <summary>Gets the dataset id.</summary>
    public DatasetId Dataset => Definition.Id;
}

/// <summary>Extension methods of <see cref="ISchemaRegistry"/>.</summary>
public static class SchemaRegistryExtensions
{
    /// <summary>Returns a version of a dataset's definition, or throws <see cref="DatasetNotFoundException"/>.</summary>
    public static async Task<RegisteredDefinition> GetRequiredAsync(this ISchemaRegistry registry, DatasetId dataset, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return await registry.GetAsync(dataset, version, cancellationToken).ConfigureAwait(false)
            ?? throw new DatasetNotFoundException(dataset, version);
    }
}
