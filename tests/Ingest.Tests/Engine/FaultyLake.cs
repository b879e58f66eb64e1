using Ingest.Storage;

namespace Ingest.Tests.Engine;

/// <summary>Wraps a lake and throws at a chosen operation, to stand for a process killed at that point.</summary>
internal sealed class FaultyLake(ILakeStorage inner) : ILakeStorage
{
    public int FailPromoteAfter { get; set; } = int.MaxValue;

    public int FailCompleteAfter { get; set; } = int.MaxValue;

    /// <summary>Gets or sets the message of the write failure (a real one, such as the kernel's "No space left on device").</summary>
    public string CompleteError { get; set; } = "simulated crash while writing";

    /// <summary>Gets or sets what happens right before a write completes (zone, key): another process at work meanwhile.</summary>
    public Action<LakeZone, string>? BeforeComplete { get; set; }

    public int Promotes { get; private set; }

    public int Completes { get; private set; }

    public async Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
        => new Writer(this, await inner.OpenWriteAsync(zone, key, cancellationToken), zone, key);

    public Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(zone, key, cancellationToken);

    public Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => inner.GetAsync(zone, key, cancellationToken);

    public IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(zone, prefix, cancellationToken);

    public Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(zone, key, cancellationToken);

    public Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default)
    {
        if (++Promotes > FailPromoteAfter)
        {
            throw new IOException("simulated crash during promote");
        }

        return inner.PromoteAsync(zone, sourceKey, destinationKey, cancellationToken);
    }

    public Task<int> AbortIncompleteWritesAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default) => inner.AbortIncompleteWritesAsync(zone, prefix, cancellationToken);

    public string GetAddress(LakeZone zone, string key) => inner.GetAddress(zone, key);

    private sealed class Writer(FaultyLake owner, ILakeObjectWriter inner, LakeZone zone, string key) : ILakeObjectWriter
    {
        public Stream Stream => inner.Stream;

        public Task CompleteAsync(CancellationToken cancellationToken = default)
        {
            if (++owner.Completes > owner.FailCompleteAfter)
            {
                throw new IOException(owner.CompleteError);
            }

            owner.BeforeComplete?.Invoke(zone, key);

            return inner.CompleteAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
