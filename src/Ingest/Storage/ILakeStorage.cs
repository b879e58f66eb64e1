namespace Ingest.Storage;

/// <summary>
/// The lake's object storage: zones of immutable objects addressed by '/'-separated keys, the shape
/// of S3. Implementations: a local folder (Ingest.Local), memory (Ingest.Testing), S3 (Ingest.Aws).
/// The engine's commit protocol needs nothing more than these operations.
/// </summary>
/// <remarks>
/// Keys reaching an implementation have been checked by the engine (relative, no <c>..</c> segments, no empty
/// segments, no control characters); implementations check again before touching a path.
/// </remarks>
public interface ILakeStorage
{
    /// <summary>
    /// Starts writing an object. Write to <see cref="ILakeObjectWriter.Stream"/>, then call
    /// <see cref="ILakeObjectWriter.CompleteAsync"/>: only then does the object exist, complete and durable.
    /// Disposing the writer without completing it aborts the write and leaves no object (and no partial upload) behind.
    /// </summary>
    Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default);

    /// <summary>Opens a readable, seekable stream over the object.</summary>
    /// <exception cref="LakeObjectNotFoundException">The object does not exist.</exception>
    Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default);

    /// <summary>Returns the object's metadata, or <see langword="null"/> when it does not exist.</summary>
    Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default);

    /// <summary>Lists the objects whose keys start with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; deleting a missing object succeeds.</summary>
    Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the object at <paramref name="sourceKey"/> visible at <paramref name="destinationKey"/> and removes
    /// the source (a rename on file systems, copy-then-delete on S3). Idempotent for roll-forward: when the
    /// source is gone and the destination exists, it succeeds.
    /// </summary>
    Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes what writers that were neither completed nor disposed (a killed process) left under
    /// <paramref name="prefix"/>: temporary files on a file system, incomplete multipart uploads on S3.
    /// Completed objects are not touched. Returns how many were removed.
    /// </summary>
    Task<int> AbortIncompleteWritesAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default);

    /// <summary>Returns the address of a key or prefix as readers outside this process see it (a file path or an s3:// URI).</summary>
    string GetAddress(LakeZone zone, string key);
}

/// <summary>A lake object that was expected does not exist.</summary>
public sealed class LakeObjectNotFoundException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public LakeObjectNotFoundException(LakeZone zone, string key)
        : base($"Lake object {zone}/{key} does not exist.")
    {
        Zone = zone;
        Key = key;
        Location = $"{zone}/{key}";
    }

    /// <summary>Gets the zone.</summary>
    public LakeZone Zone { get; }

    /// <summary>Gets the key.</summary>
    public string Key { get; }
}

/// <summary>An object being written; see <see cref="ILakeStorage.OpenWriteAsync"/>.</summary>
public interface ILakeObjectWriter : IAsyncDisposable
{
    /// <summary>Gets the stream to write the object's bytes to (write-only, not seekable).</summary>
    Stream Stream { get; }

    /// <summary>Makes the object durable and visible at its key. Call once, after the last write.</summary>
    Task CompleteAsync(CancellationToken cancellationToken = default);
}
