using System.Diagnostics;

namespace Ingest.TestSupport;

/// <summary>
/// Installs a test folder's pinned npm packages (<c>npm ci</c>) the first time a fixture needs them, so
/// that <c>dotnet test</c> on a fresh clone starts its servers without a separate setup step.
/// </summary>
internal static class NpmPackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureInstalledAsync(string folder, string probe, CancellationToken cancellationToken = default)
    {
        if (File.Exists(Path.Combine(folder, probe)))
        {
            return;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            // Another test process may install at the same time: hold a lock file while installing.
            using var lockFile = await AcquireAsync(Path.Combine(folder, ".npm-install.lock"), cancellationToken);
            if (File.Exists(Path.Combine(folder, probe)))
            {
                return;
            }

            var start = new ProcessStartInfo("npm", ["ci", "--prefix", folder, "--no-audit", "--no-fund"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started (Node.js 20+ with npm is needed).");
            var output = npm.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = npm.StandardError.ReadToEndAsync(cancellationToken);
            await npm.WaitForExitAsync(cancellationToken);
            if (npm.ExitCode != 0 || !File.Exists(Path.Combine(folder, probe)))
            {
                throw new InvalidOperationException($"npm ci --prefix {folder} failed with exit code {npm.ExitCode}: {await errors}{await output}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }
}
