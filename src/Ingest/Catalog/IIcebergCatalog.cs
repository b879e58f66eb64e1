using Ingest.Registry;

namespace Ingest.Catalog;

/// <summary>
/// Iceberg's catalog: where each Iceberg table's current metadata file is recorded. Swapping that pointer is a run's
/// commit point, so an implementation must make <see cref="TryCommitAsync"/> a compare-and-swap that two writers can
/// never both win. Implementations: a table in the local SQLite file (the layout of Iceberg's SQL catalog), the Glue
/// Data Catalog (a table with <c>table_type=ICEBERG</c> updated on its version id), memory (Ingest.Testing).
/// </summary>
public interface IIcebergCatalog
{
    /// <summary>Returns the location of the table's current metadata file, or <see langword="null"/> when the table does not exist yet.</summary>
    Task<string?> LoadAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points the table at <paramref name="newMetadataLocation"/> only while it still points at
    /// <paramref name="expectedMetadataLocation"/> (<see langword="null"/>: creates the table only if it does not exist).
    /// Returns <see langword="false"/> when another writer moved the pointer first; nothing changed then.
    /// </summary>
    /// <remarks>
    /// An implementation may also keep the catalog's view of the table in step (the Glue table's columns); it must not
    /// throw after the swap took effect unless it says so with <see cref="IcebergCommitStateUnknownException"/>.
    /// </remarks>
    Task<bool> TryCommitAsync(RegisteredDefinition definition, string? expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken = default);
}

/// <summary>A commit whose outcome is unknown: the swap was sent, and the answer was lost (a timeout, a dropped connection).</summary>
/// <remarks>Reload the pointer: the commit took effect if it points at the new metadata file.</remarks>
public sealed class IcebergCommitStateUnknownException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public IcebergCommitStateUnknownException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = true;
    }
}
