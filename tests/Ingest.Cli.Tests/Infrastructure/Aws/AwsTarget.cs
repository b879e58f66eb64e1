using Ingest.Aws;
using Ingest.Aws.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Infrastructure.Aws;

/// <summary>
/// A lake and table of a test's own on the shared servers, described the way a user describes AWS: a Terraform outputs
/// file (region, a bucket per zone, the table) plus INGEST_Aws__* variables for what only local servers need.
/// </summary>
public sealed class AwsTarget
{
    /// <summary>Names a lake and table of their own and writes the Terraform outputs file into <paramref name="folder"/>.</summary>
    public AwsTarget(AwsServers servers, string folder)
    {
        servers.EnsureRunning();

        // The SDK's default credential chain reads these; s3rver accepts only S3RVER (dynalite any). No instance metadata lookups.
        System.Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        System.Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        System.Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

        var name = "cli-" + Guid.NewGuid().ToString("N")[..10];
        Buckets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["raw"] = name + "-raw",
            ["curated"] = name + "-curated",
            ["quarantine"] = name + "-quarantine",
        };
        TableName = name;
        TerraformOutputs = Path.Combine(folder, "terraform-outputs.json");
        File.WriteAllText(TerraformOutputs, $$"""
            {
              "ingest_region": { "sensitive": false, "type": "string", "value": "us-east-1" },
              "ingest_raw_bucket": { "sensitive": false, "type": "string", "value": "{{Buckets["raw"]}}" },
              "ingest_curated_bucket": { "sensitive": false, "type": "string", "value": "{{Buckets["curated"]}}" },
              "ingest_quarantine_bucket": { "sensitive": false, "type": "string", "value": "{{Buckets["quarantine"]}}" },
              "ingest_table_name": { "sensitive": false, "type": "string", "value": "{{TableName}}" },
              "unrelated_output": { "sensitive": false, "type": ["list", "string"], "value": ["ignored"] }
            }
            """);
        Environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["INGEST_Aws__S3ServiceUrl"] = servers.S3!.Url,
            ["INGEST_Aws__DynamoDbServiceUrl"] = servers.DynamoDb!.Url,
            ["INGEST_Aws__ForcePathStyle"] = "true",
            ["INGEST_Aws__EmulatorCompatibility"] = "true",
            ["INGEST_Aws__MaxErrorRetries"] = "1",
        };
        Options = AwsIngestOptions.FromTerraformOutputs(File.ReadAllText(TerraformOutputs));
        Options.S3ServiceUrl = servers.S3.Url;
        Options.DynamoDbServiceUrl = servers.DynamoDb.Url;
        Options.ForcePathStyle = true;
        Options.EmulatorCompatibility = true;
        Options.Credentials = AwsServers.Credentials;
    }

    /// <summary>Gets the bucket of each zone.</summary>
    public IReadOnlyDictionary<string, string> Buckets { get; }

    /// <summary>Gets the DynamoDB table.</summary>
    public string TableName { get; }

    /// <summary>Gets the path of the Terraform outputs file.</summary>
    public string TerraformOutputs { get; }

    /// <summary>Gets the INGEST_Aws__* variables that point the CLI at the local servers.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Gets the same settings as options, for reading back what the CLI wrote.</summary>
    public AwsIngestOptions Options { get; }

    /// <summary>A CLI harness with <c>--target aws --terraform-outputs …</c> and the environment of this target.</summary>
    public static (CliHarness Cli, AwsTarget Target) Create(AwsServers servers)
    {
        var cli = CliHarness.Aws();
        var target = new AwsTarget(servers, cli.Root);
        cli.TargetArgs.AddRange(["--terraform-outputs", target.TerraformOutputs]);
        foreach (var (key, value) in target.Environment)
        {
            cli.Environment[key] = value;
        }

        return (cli, target);
    }
}
