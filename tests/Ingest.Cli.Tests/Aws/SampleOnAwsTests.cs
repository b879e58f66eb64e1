using System.Diagnostics;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Cli.Tests.Infrastructure.Aws;

namespace Ingest.Cli.Tests.Aws;

/// <summary>The OnPremToAthena sample with <c>--target aws</c>, run as a process against the real S3 and DynamoDB servers.</summary>
[Collection(AwsCollection.Name)]
public sealed class SampleOnAwsTests(AwsServers servers)
{
    [Fact]
    public async Task Sample_TargetAws_PassesItsChecks()
    {
        var (cli, target) = AwsTarget.Create(servers);
        using (cli)
        {
            var result = await RunSampleAsync(target, "--home", Path.Combine(cli.Root, "sample"), "--rows", "1000", "--create-resources");

            result.ExitCode.Should().Be(0, result.Output);
            result.Output.Should().Contain("target AWS").And.Contain("this SQL is DuckDB's dialect; query the same tables in Athena").And.Contain("query in Athena:  ingest --target aws --terraform-outputs")
                .And.Contain("All ").And.Contain(" checks passed.");

            // A second run on the same table refuses to tell the story twice, in one line.
            var again = await RunSampleAsync(target, "--home", Path.Combine(cli.Root, "sample"), "--rows", "1000");
            again.ExitCode.Should().Be(2, again.Output);
            again.Output.Should().Contain("error: sales.customers is already registered (v1) in table " + target.TableName);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunSampleAsync(AwsTarget target, params string[] args)
    {
        // The sample is built with the tests (a project reference that does not reference its assembly), in the same configuration.
        var testBin = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var configuration = Directory.GetParent(testBin)!.Name;
        var sample = Path.Combine(AwsServers.RepositoryRoot, "samples", "OnPremToAthena", "bin", configuration, Path.GetFileName(testBin), "OnPremToAthena.dll");
        File.Exists(sample).Should().BeTrue($"the sample is built at {sample}");

        var start = new ProcessStartInfo("dotnet", ["exec", sample, "--target", "aws", "--terraform-outputs", target.TerraformOutputs, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in target.Environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
