using System.Diagnostics.CodeAnalysis;
using Ingest.Definitions;
using Ingest.Registry;

namespace Ingest.Extensibility;

/// <summary>
/// The rules every registry shares (validation, identical-definition detection, compatibility), on top of
/// two storage primitives a backend implements: read the latest version, and store a version only if that
/// number is still free (a conditional write). The members a backend implements are experimental (diagnostic
/// <c>INGEST0001</c>) and may change in a minor version; callers of a derived registry see only <see cref="ISchemaRegistry"/>.
/// See docs/extensibility.md.
/// </summary>
public abstract class SchemaRegistryBase : ISchemaRegistry
{
    /// <summary>Creates the registry.</summary>
    [Experimental(ExtensibilityDiagnostics.Id, UrlFormat = ExtensibilityDiagnostics.UrlFormat)]
    protected SchemaRegistryBase(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the clock used for <see cref="RegisteredDefinition.RegisteredAt"/>.</summary>
    [Experimental(ExtensibilityDiagnostics.Id, UrlFormat = ExtensibilityDiagnostics.UrlFormat)]
    protected TimeProvider TimeProvider { get; }

    /// <inheritdoc />
    public async Task<RegisteredDefinition> RegisterAsync(DatasetDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        // Custom rule types and source formats are the registering host's to check (DatasetDefinitionSerializer.Deserialize
        // with its IngestExtensions); a registry stores any well-formed name.
        DatasetDefinitionSerializer.EnsureValidToStore(definition);
        var latest = await GetAsync(definition.Id, null, cancellationToken).ConfigureAwait(false);

        // A definition that does not name its table format keeps the dataset's (a new dataset is Iceberg); what is
        // stored always names it, so a stored definition without a format predates formats and is Hive.
        if (definition.Table.Format is null)
        {
            // Both engines write Iceberg tables (the Glue job through Spark's Iceberg support, ADR 14).
            var format = latest?.Definition.TableFormat ?? TableFormat.Iceberg;
            definition = definition with { Table = definition.Table with { Format = format } };
        }

        var fingerprint = DatasetDefinitionSerializer.Fingerprint(definition);
        if (latest is not null)
        {
            if (latest.Fingerprint == fingerprint)
            {
                return latest;
            }

            var problems = SchemaCompatibility.Check(latest.Definition, definition);
            if (problems.Count > 0)
            {
                throw new SchemaCompatibilityException(definition.Id, latest.Version, problems);
            }
        }

        var next = new RegisteredDefinition(definition, (latest?.Version ?? 0) + 1, TimeProvider.GetUtcNow(), fingerprint);
        if (!await TryStoreAsync(next, cancellationToken).ConfigureAwait(false))
        {
            throw new ConcurrencyConflictException(
                $"Dataset {definition.Id}: version {next.Version} was registered by another writer at the same time; read the latest version and retry.")
            {
                Dataset = definition.Id,
                DefinitionVersion = next.Version,
                IsTransient = true,
            };
        }

        return next;
    }

    /// <inheritdoc />
    public abstract Task<RegisteredDefinition?> GetAsync(DatasetId dataset, int? version = null, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract IAsyncEnumerable<RegisteredDefinition> ListAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract IAsyncEnumerable<RegisteredDefinition> ListVersionsAsync(DatasetId dataset, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the version and advances the latest pointer, atomically and only if no version with that
    /// number exists. Returns <see langword="false"/> when another writer stored it first.
    /// </summary>
    [Experimental(ExtensibilityDiagnostics.Id, UrlFormat = ExtensibilityDiagnostics.UrlFormat)]
    protected abstract Task<bool> TryStoreAsync(RegisteredDefinition definition, CancellationToken cancellationToken);
}
