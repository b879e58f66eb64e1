using Microsoft.Data.Sqlite;

namespace Ingest.Local.Tests;

/// <summary>A fresh root folder per test, with a quote and a space in its name to exercise path escaping; deleted on dispose.</summary>
public sealed class TempRoot : IDisposable
{
    public TempRoot()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ingest-local-tests", "root it's " + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public LocalIngestOptions Options => new() { Root = Path };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
