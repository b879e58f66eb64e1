using Ingest.Storage;

namespace Ingest.Testing;

/// <summary>
/// An <see cref="ILakeStorage"/> kept in memory, for unit tests. Thread-safe. Follows the contract to the letter:
/// an object exists only after <see cref="ILakeObjectWriter.CompleteAsync"/>, the write stream is not seekable,
/// and invalid keys are refused with <see cref="ArgumentException"/>.
/// </summary>
public sealed class InMemoryLakeStorage : ILakeStorage
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<(string Zone, string Key), Entry> _objects = new(ZoneKeyComparer.Instance);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty lake.</summary>
    /// <param name="timeProvider">The clock used for <see cref="LakeObject.LastModified"/>; the system clock when <see langword="null"/>.</param>
    public InMemoryLakeStorage(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets a snapshot of every object, for assertions.</summary>
    public IReadOnlyList<LakeObject> Objects
    {
        get
        {
            lock (_gate)
            {
                return [.. _objects.Select(p => ToLakeObject(p.Key.Zone, p.Key.Key, p.Value))];
            }
        }
    }

    /// <inheritdoc />
    public Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        EnsureZone(zone);
        LakeKeys.EnsureValid(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<ILakeObjectWriter>(new Writer(this, zone, key));
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        EnsureZone(zone);
        LakeKeys.EnsureValid(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return _objects.TryGetValue((zone.Name, key), out var entry)
                ? Task.FromResult<Stream>(new MemoryStream(entry.Bytes, writable: false))
                : throw new LakeObjectNotFoundException(zone, key);
        }
    }

    /// <inheritdoc />
    public Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        EnsureZone(zone);
        LakeKeys.EnsureValid(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_objects.TryGetValue((zone.Name, key), out var entry) ? ToLakeObject(zone.Name, key, entry) : null);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default)
    {
        EnsureZone(zone);
        ArgumentNullException.ThrowIfNull(prefix);
        LakeKeys.EnsureValid(prefix, allowPrefix: true);
        List<LakeObject> snapshot;
        lock (_gate)
        {
            snapshot = [.. _objects
                .Where(p => p.Key.Zone == zone.Name && p.Key.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(p => ToLakeObject(p.Key.Zone, p.Key.Key, p.Value))];
        }

        return AsyncSequence.From(snapshot, cancellationToken);

    }

    /// <inheritdoc />
    public Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        EnsureZone(zone);
        LakeKeys.EnsureValid(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _objects.Remove((zone.Name, key));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default)
    {
        EnsureZone(zone);
        LakeKeys.EnsureValid(sourceKey);
        LakeKeys.EnsureValid(destinationKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_objects.Remove((zone.Name, sourceKey), out var entry))
            {
                _objects[(zone.Name, destinationKey)] = entry with { LastModified = _timeProvider.GetUtcNow() };
            }
            else if (!_objects.ContainsKey((zone.Name, destinationKey)))
            {
                throw new LakeObjectNotFoundException(zone, sourceKey);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public string GetAddress(LakeZone zone, string key)
    {
        EnsureZone(zone);
        LakeKeys.EnsureValid(key, allowPrefix: true);
        return $"memory://{zone.Name}/{key}";
    }

    private static void EnsureZone(LakeZone zone)
    {
        if (!Definitions.Identifier.IsValid(zone.Name))
        {
            throw new ArgumentException($"'{zone.Name}' is not a valid zone name: use a lower-case identifier such as 'curated'.", nameof(zone));
        }
    }

    private static LakeObject ToLakeObject(string zone, string key, Entry entry)
        => new(new LakeZone(zone), key, entry.Bytes.LongLength, entry.LastModified);

    private void Store(LakeZone zone, string key, byte[] bytes)
    {
        lock (_gate)
        {
            _objects[(zone.Name, key)] = new Entry(bytes, _timeProvider.GetUtcNow());
        }
    }

    private sealed record Entry(byte[] Bytes, DateTimeOffset LastModified);

    private sealed class ZoneKeyComparer : IComparer<(string Zone, string Key)>
    {
        public static ZoneKeyComparer Instance { get; } = new();

        public int Compare((string Zone, string Key) x, (string Zone, string Key) y)
        {
            var zone = string.CompareOrdinal(x.Zone, y.Zone);
            return zone != 0 ? zone : string.CompareOrdinal(x.Key, y.Key);
        }
    }

    private sealed class Writer(InMemoryLakeStorage owner, LakeZone zone, string key) : ILakeObjectWriter
    {
        private readonly WriteOnlyStream _stream = new();
        private bool _completed;
        private bool _disposed;

        public Stream Stream => _stream;

        public Task CompleteAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_completed)
            {
                throw new InvalidOperationException($"The write of {zone}/{key} was already completed.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            owner.Store(zone, key, _stream.ToArray());
            _completed = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return _stream.DisposeAsync();
        }
    }
}
