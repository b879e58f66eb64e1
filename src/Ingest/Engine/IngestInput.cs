namespace Ingest.Engine;

/// <summary>A source file to ingest: a name for lineage and errors, and a way to open its bytes (more than once).</summary>
public sealed class IngestInput
{
    private readonly Func<CancellationToken, Task<Stream>> _open;

    private IngestInput(string name, Func<CancellationToken, Task<Stream>> open, long? length, Func<InputVersion?>? version = null)
    {
        Name = name;
        _open = open;
        Length = length;
        Version = version;
    }

    /// <summary>Gets the name recorded in <c>_source_file</c>, the raw zone and error messages.</summary>
    public string Name { get; }

    /// <summary>Gets the size in bytes, when known in advance (for progress).</summary>
    public long? Length { get; }

    /// <summary>An input read from a local file.</summary>
    /// <exception cref="IngestException">The file does not exist.</exception>
    public static IngestInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new IngestException($"Input file {path} does not exist.") { Location = path };
        }

        return new IngestInput(
            info.Name,
            _ => Task.FromResult<Stream>(new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan)),
            info.Length,
            () => new FileInfo(info.FullName) is { Exists: true } now ? new InputVersion(now.Length, now.LastWriteTimeUtc) : null);
    }

    /// <summary>An input whose bytes come from a stream factory; it is called once per pass over the input.</summary>
    public static IngestInput FromStream(string name, Func<CancellationToken, Task<Stream>> open, long? length = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(open);
        return new IngestInput(name, open, length);
    }

    /// <summary>Opens a new stream over the input's bytes.</summary>
    public Task<Stream> OpenAsync(CancellationToken cancellationToken = default) => _open(cancellationToken);

    /// <summary>Gets the input's size and modification time now (null when it is gone), for inputs that have them (files).</summary>
    internal Func<InputVersion?>? Version { get; }
}

/// <summary>The size and modification time of an input: two that differ mean the input changed in between.</summary>
internal readonly record struct InputVersion(long Length, DateTime LastWriteUtc);
