namespace Ingest.Database;

/// <summary>
/// Turns the connection name of a definition (<c>source.database.connection</c>) into a connection string, for example from a
/// secret store. Connection strings never appear in definitions, logs or error messages.
/// </summary>
public interface IConnectionResolver
{
    /// <summary>Returns the connection string of <paramref name="connection"/>, or <see langword="null"/> when this resolver does not know it.</summary>
    ValueTask<string?> ResolveAsync(string connection, CancellationToken cancellationToken = default);
}
