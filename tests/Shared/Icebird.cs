using System.Diagnostics;
using System.Text.Json;

namespace Ingest.Tests.Shared;

/// <summary>Runs icebird, an independent JavaScript Iceberg reader, through tests/Shared/iceberg-read.mjs and returns what it read.</summary>
internal static class Icebird
{
    /// <summary>Reads the table at <paramref name="table"/> as of <paramref name="metadataFile"/>, summing <paramref name="sumColumns"/>.</summary>
    /// <param name="table">The table's folder (or its S3 location when <paramref name="s3Root"/> is given).</param>
    /// <param name="metadataFile">The metadata file's name under <c>metadata/</c>.</param>
    /// <param name="s3Root">A local copy of S3 buckets the table's <c>s3://</c> locations map to, or <see langword="null"/>.</param>
    /// <param name="sumColumns">Numeric columns to sum.</param>
    public static async Task<JsonElement> ReadAsync(string table, string metadataFile, string? s3Root, params string[] sumColumns)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tests", "Shared", "iceberg-read.mjs"));
        start.ArgumentList.Add(table);
        start.ArgumentList.Add(metadataFile);
        foreach (var column in sumColumns)
        {
            start.ArgumentList.Add(column);
        }

        if (s3Root is not null)
        {
            start.Environment["ICEBERG_READ_S3_ROOT"] = s3Root;
        }

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"icebird exited with {node.ExitCode}: {await errors}");
        }

        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    /// <summary>The repository's root: the folder with Ingest.sln above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ingest.sln not found");
    }
}
