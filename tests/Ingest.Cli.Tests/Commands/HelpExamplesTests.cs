using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ingest.Cli.Tests.Commands;

/// <summary>
/// Every example the help prints, pasted into bash as a user would: <c>ingest</c> is a script on the PATH that runs the
/// CLI built next to the tests, the working folder holds the repository's <c>docs/examples</c>, and the examples run in
/// the order their commands are listed. Local examples must succeed; those with <c>--target aws</c> must get past the
/// shell and the argument parser (their endpoints are a closed local port, so they fail reaching AWS, not parsing).
/// </summary>
public sealed partial class HelpExamplesTests(ITestOutputHelper output) : IDisposable
{
    private readonly CliHarness _help = CliHarness.InMemory();

    public void Dispose() => _help.Dispose();

    [Fact]
    public async Task HelpExamples_PastedIntoBash_RunAsShown()
    {
        var examples = await CollectExamplesAsync([]);
        var rootExamples = Examples((await _help.RunAsync("--help")).Output);
        examples.Should().HaveCountGreaterThanOrEqualTo(18, "every command shows examples");
        rootExamples.Should().NotBeEmpty().And.OnlyContain(e => examples.Contains(e), "the root help repeats commands' examples");

        var folder = PrepareFolder();
        // Registered before the examples run, so that `datasets add docs/examples/sales.orders.json` makes version 2 and
        // `datasets diff --from 1 --to 2` has two versions to compare.
        (await RunInBashAsync(folder, "ingest init")).ExitCode.Should().Be(0);
        (await RunInBashAsync(folder, "ingest datasets add orders-v1.json")).ExitCode.Should().Be(0);

        var failures = new List<string>();
        foreach (var example in examples)
        {
            var (exitCode, text) = await RunInBashAsync(folder, example);
            output.WriteLine($"exit {exitCode}: {example}");
            var aws = example.Contains("--target aws", StringComparison.Ordinal);
            var ok = aws ? exitCode is not (0 or 2 or 127) : exitCode == 0;
            if (!ok)
            {
                failures.Add($"{example}{Environment.NewLine}  exit {exitCode}: {text.Trim()}");
            }

            // Piped, the output is plain: no frame drawn to the 240 columns a pipe gets.
            if (example.StartsWith("ingest run ", StringComparison.Ordinal) && !aws && (text.Contains('│') || text.Split('\n').Any(l => l.Length > 120)))
            {
                failures.Add($"{example}{Environment.NewLine}  piped output is not plain and narrow:{Environment.NewLine}{text}");
            }
        }

        failures.Should().BeEmpty();
    }

    /// <summary>The examples of every command under <paramref name="path"/>, depth first in the order the help lists them.</summary>
    private async Task<List<string>> CollectExamplesAsync(string[] path)
    {
        var help = (await _help.RunAsync([.. path, "--help"])).Output;
        var commands = Section(help, "COMMANDS:").Select(line => line.Trim().Split(' ')[0]).ToList();
        if (commands.Count == 0)
        {
            return Examples(help);
        }

        var all = new List<string>();
        foreach (var command in commands)
        {
            all.AddRange(await CollectExamplesAsync([.. path, command]));
        }

        return all;
    }

    private static List<string> Examples(string help) => [.. Section(help, "EXAMPLES:").Select(line => line.Trim())];

    private static IEnumerable<string> Section(string help, string header)
        => help.Split('\n').SkipWhile(line => line.Trim() != header).Skip(1).TakeWhile(line => line.StartsWith("    ", StringComparison.Ordinal));

    private static string PrepareFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ingest-help-examples", Guid.NewGuid().ToString("N")[..8]);
        var examples = Path.Combine(folder, "docs", "examples");
        Directory.CreateDirectory(examples);
        foreach (var name in new[] { "sales.orders.json", "sales.customers.json", "orders-2024-05-01.csv" })
        {
            File.Copy(Path.Combine(AwsServers.RepositoryRoot, "docs", "examples", name), Path.Combine(examples, name));
        }

        var v1 = JsonNode.Parse(File.ReadAllText(Path.Combine(examples, "sales.orders.json")))!;
        var columns = v1["columns"]!.AsArray();
        columns.Remove(columns.Single(c => (string?)c!["name"] == "coupon_code"));
        File.WriteAllText(Path.Combine(folder, "orders-v1.json"), v1.ToJsonString());

        var asl = Path.Combine(folder, "terraform", "step_functions");
        Directory.CreateDirectory(asl);
        File.Copy(Path.Combine(AwsServers.RepositoryRoot, "terraform", "step_functions", "ingest.asl.json"), Path.Combine(asl, "ingest.asl.json"));
        File.WriteAllText(Path.Combine(folder, "outputs.json"), """
            {
              "ingest_region": { "value": "eu-central-1" }, "ingest_lake_bucket": { "value": "acme-lake" }, "ingest_table_name": { "value": "acme-ingest" },
              "ingest_settings": { "value": { "stateMachineArn": "arn:aws:states:eu-central-1:123456789012:stateMachine:acme-ingest" } }
            }
            """);

        var bin = Path.Combine(folder, "bin");
        Directory.CreateDirectory(bin);
        var script = Path.Combine(bin, "ingest");
        File.WriteAllText(script, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "Ingest.Cli.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return folder;
    }

    private static async Task<(int ExitCode, string Text)> RunInBashAsync(string folder, string line)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(line);
        start.Environment["PATH"] = Path.Combine(folder, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["INGEST_HOME"] = Path.Combine(folder, "home");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // AWS examples reach a closed port on loopback (9, discard) instead of AWS, with credentials that sign nothing real.
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "example";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var service in new[] { "S3", "DynamoDb", "Glue", "Athena", "StepFunctions" })
        {
            start.Environment[$"INGEST_Aws__{service}ServiceUrl"] = "http://127.0.0.1:9/";
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
