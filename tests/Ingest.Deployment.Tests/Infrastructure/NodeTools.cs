using Ingest.TestSupport;
using System.Diagnostics;
using System.Text;

namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>
/// Runs the npm validators of tests/deployment. Their pinned packages are installed with <c>npm ci</c> on first use;
/// when node is missing or the install fails, the calling test fails with the reason (it never passes unchecked).
/// </summary>
internal static class NodeTools
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

        /// <summary>Installs the packages if needed; fails the calling test if node or a package is still missing.</summary>
    public static void EnsureAvailable(params string[] packages)
    {
        if (CanRunNode() && packages.Length > 0)
        {
            NpmPackages.EnsureInstalledAsync(RepoPaths.DeploymentTools, Path.Combine("node_modules", packages[0], "package.json")).GetAwaiter().GetResult();
        }

        var problem = FindProblem(packages);
        if (problem is not null)
        {
            throw new InvalidOperationException($"{problem} This check needs Node.js 20+ and `npm ci --prefix tests/deployment`.");
        }
    }

    /// <summary>Runs <c>node script args…</c> in tests/deployment.</summary>
    public static Result Node(string script, params string[] args) => Run("node", [script, .. args]);

    /// <summary>Runs a package binary from tests/deployment/node_modules/.bin through node.</summary>
    public static Result Bin(string package, string binRelativePath, params string[] args)
        => Run("node", [Path.Combine(RepoPaths.DeploymentTools, "node_modules", package, binRelativePath), .. args]);

    private static string? FindProblem(string[] packages)
    {
        if (!CanRunNode())
        {
            return "node is not on PATH.";
        }

        foreach (var package in packages)
        {
            if (!Directory.Exists(Path.Combine(RepoPaths.DeploymentTools, "node_modules", package)))
            {
                return $"The npm package {package} is not installed in tests/deployment.";
            }
        }

        return null;
    }

    private static bool CanRunNode()
    {
        try
        {
            return Run("node", ["--version"]).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static Result Run(string fileName, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepoPaths.DeploymentTools,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Colour codes would end up in assertion messages.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["FORCE_COLOR"] = "0";

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within 2 minutes.");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
