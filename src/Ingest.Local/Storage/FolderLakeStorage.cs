using System.Runtime.CompilerServices;
using Ingest.Definitions;
using Ingest.Local.Diagnostics;
using Ingest.Storage;
using Microsoft.Extensions.Logging;

namespace Ingest.Local.Storage;

/// <summary>
/// The lake as a folder: objects at <c>{root}/{zone}/{key}</c>. Writes go to a temporary file next to the target
/// (<c>{name}.ingest-tmp-{guid}</c>, never listed), are flushed to disk and renamed into place on completion.
/// </summary>
internal sealed class FolderLakeStorage : ILakeStorage
{
    private const string TempMarker = ".ingest-tmp-";
    private readonly string _root;
    private readonly ILogger _logger;

    public FolderLakeStorage(string root, ILogger logger)
    {
        _root = Path.GetFullPath(root);
        _logger = logger;
    }

    /// <summary>Gets the absolute folder of the lake (the parent of the zone folders).</summary>
    public string Root => _root;

    public Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var path = Resolve(zone, key);
        cancellationToken.ThrowIfCancellationRequested();
        var temp = path + TempMarker + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 81920,
        });
        return Task.FromResult<ILakeObjectWriter>(new Writer(this, stream, temp, path));
    }

    public Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var path = Resolve(zone, key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LakeObjectNotFoundException(zone, key);
        }
    }

    public Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(Resolve(zone, key));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(info.Exists ? new LakeObject(zone, key, info.Length, info.LastWriteTimeUtc) : null);
    }

    public IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        LakeKeys.EnsureValid(prefix, allowPrefix: true);
        var zoneRoot = ZoneRoot(zone);
        return List(zone, zoneRoot, StartFolder(zoneRoot, prefix), prefix, cancellationToken);
    }

    public Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default)
    {
        var path = Resolve(zone, key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Deleting a missing object succeeds.
        }

        return Task.CompletedTask;
    }

    public Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default)
    {
        var source = Resolve(zone, sourceKey);
        var destination = Resolve(zone, destinationKey);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(source))
        {
            return File.Exists(destination) ? Task.CompletedTask : throw new LakeObjectNotFoundException(zone, sourceKey);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        try
        {
            File.Move(source, destination, overwrite: true);
        }
        catch (FileNotFoundException) when (File.Exists(destination))
        {
            // Another process promoted it between our check and the move: roll-forward is idempotent.
        }

        return Task.CompletedTask;
    }

    public Task<int> AbortIncompleteWritesAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        LakeKeys.EnsureValid(prefix, allowPrefix: true);
        var zoneRoot = ZoneRoot(zone);
        var start = StartFolder(zoneRoot, prefix);
        if (!Directory.Exists(start))
        {
            return Task.FromResult(0);
        }

        var removed = 0;
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(zoneRoot, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (IsTempFile(file.Name) && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                DeleteTemp(file.FullName);
                removed++;
            }
        }

        // Folders the prefix names in full and that are now empty go too (a run's staging folder).
        if (prefix.EndsWith('/') && Directory.Exists(Contain(zoneRoot, prefix.TrimEnd('/'))))
        {
            RemoveEmptyFolders(Contain(zoneRoot, prefix.TrimEnd('/')));
        }

        return Task.FromResult(removed);
    }

    /// <summary>The deepest folder a prefix names in full; keys below it are filtered by ordinal prefix.</summary>
    private static string StartFolder(string zoneRoot, string prefix)
    {
        var slash = prefix.LastIndexOf('/');
        return slash < 0 ? zoneRoot : Contain(zoneRoot, prefix[..slash]);
    }

    private static void RemoveEmptyFolders(string folder)
    {
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            RemoveEmptyFolders(child);
        }

        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            try
            {
                Directory.Delete(folder);
            }
            catch (IOException)
            {
                // Another writer just created something here; leave it.
            }
        }
    }

    public string GetAddress(LakeZone zone, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        LakeKeys.EnsureValid(key, allowPrefix: true);
        var zoneRoot = ZoneRoot(zone);
        return key.Length == 0 ? zoneRoot + Path.DirectorySeparatorChar : Contain(zoneRoot, key) + (key.EndsWith('/') ? Path.DirectorySeparatorChar : string.Empty);
    }

    internal string ZoneRoot(LakeZone zone)
    {
        if (!Identifier.IsValid(zone.Name))
        {
            throw new ArgumentException($"'{zone.Name}' is not a valid zone name: use a lower-case identifier such as 'curated'.", nameof(zone));
        }

        return Path.Combine(_root, zone.Name);
    }

    private static bool IsTempFile(string name)
    {
        var at = name.LastIndexOf(TempMarker, StringComparison.Ordinal);
        return at >= 0 && name.Length - at - TempMarker.Length == 32;
    }

    /// <summary>Resolves a relative path under the zone folder and refuses anything that lands outside it.</summary>
    private static string Contain(string zoneRoot, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(zoneRoot, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(zoneRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{relative}' resolves outside the lake zone folder {zoneRoot}.", "key");
        }

        return full;
    }

    private string Resolve(LakeZone zone, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        LakeKeys.EnsureValid(key);
        return Contain(ZoneRoot(zone), key);
    }

    private static async IAsyncEnumerable<LakeObject> List(LakeZone zone, string zoneRoot, string start, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var found = new List<LakeObject>();
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsTempFile(file.Name))
            {
                continue;
            }

            var key = Path.GetRelativePath(zoneRoot, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(new LakeObject(zone, key, file.Length, file.LastWriteTimeUtc));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    private void DeleteTemp(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.TempFileNotRemoved(_logger, ex, temp, ex.Message);
        }
    }

    private sealed class Writer(FolderLakeStorage owner, FileStream stream, string tempPath, string finalPath) : ILakeObjectWriter
    {
        private bool _completed;
        private bool _disposed;

        public Stream Stream => stream;

        public async Task CompleteAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_completed)
            {
                throw new InvalidOperationException($"The write of {finalPath} was already completed.");
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Move(tempPath, finalPath, overwrite: true);
            _completed = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_completed)
            {
                owner.DeleteTemp(tempPath);
            }
        }
    }
}
