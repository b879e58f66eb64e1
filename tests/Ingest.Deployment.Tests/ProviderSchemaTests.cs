using System.Text.RegularExpressions;
using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>
/// Every resource, data and provider body of terraform/ (all modules) against the providers' own schemas, offline:
/// tests/deployment/provider-schema.cjs reads the jsii assemblies of @cdktf/provider-aws (hashicorp/aws 6.25.0) and
/// @cdktf/provider-archive and reports unknown types, unknown arguments and blocks, and missing required arguments and
/// blocks, into nested blocks and dynamic blocks' content. Each kind of fault has a deliberately broken fixture under
/// Fixtures/provider-schema/, which the check must report, and nothing else in it.
/// </summary>
public sealed partial class ProviderSchemaTests
{
    private static readonly string[] Packages = ["@cdktf/provider-archive", "@cdktf/provider-aws", "@cdktf/hcl2json"];

    // One run over all fixture folders (loading the AWS provider's schema takes seconds); each test reads its folder's lines.
    private static readonly Lazy<NodeTools.Result> LazyFixtures = new(() =>
        NodeTools.Node("provider-schema.cjs", Path.Combine(AppContext.BaseDirectory, "Fixtures", "provider-schema")));

    [Fact]
    public void Every_resource_data_and_provider_body_of_terraform_matches_the_provider_schemas()
    {
        NodeTools.EnsureAvailable(Packages);
        var result = NodeTools.Node("provider-schema.cjs", RepoPaths.Terraform);

        result.ExitCode.Should().Be(0, result.ToString());
        var summary = Summary().Match(result.StdOut);
        summary.Success.Should().BeTrue(result.ToString());
        summary.Groups["versions"].Value.Should().Contain("hashicorp/aws 6.25.0");
        summary.Groups["problems"].Value.Should().Be("0");

        // Nothing is left out: as many bodies as HashiCorp's parser finds resource, data and provider blocks.
        var model = TerraformModel.Load();
        var expected = model.Modules.Values.Sum(m => m.Resources.Count + m.Data.Count)
                       + model.Files.Values.Sum(f => f.TryGetProperty("provider", out var p) ? p.EnumerateObject().Sum(x => x.Value.GetArrayLength()) : 0);
        int.Parse(summary.Groups["bodies"].Value, System.Globalization.CultureInfo.InvariantCulture).Should().Be(expected);
        expected.Should().BeGreaterThan(60);
    }

    [Fact]
    public void An_unknown_argument_is_reported_with_the_argument_meant()
        => FixtureProblems("unknown-argument").Should().Equal(
            "unknown-argument/main.tf aws_cloudwatch_log_group.job: retention_days is not an argument or block of aws_cloudwatch_log_group (did you mean retention_in_days?)");

    [Fact]
    public void A_missing_required_argument_of_a_nested_block_is_reported()
        => FixtureProblems("missing-required-argument").Should().Equal(
            "missing-required-argument/main.tf aws_s3_bucket_lifecycle_configuration.zone.rule[0]: the rule block of aws_s3_bucket_lifecycle_configuration requires the argument status");

    [Fact]
    public void A_missing_required_block_is_reported()
        => FixtureProblems("missing-required-block").Should().Equal(
            "missing-required-block/main.tf aws_glue_job.ingest: aws_glue_job requires a command block");

    [Fact]
    public void An_unknown_resource_type_is_reported_with_the_type_meant()
        => FixtureProblems("unknown-resource-type").Should().Equal(
            "unknown-resource-type/main.tf aws_s3_bucket_lifecycle.zone: aws_s3_bucket_lifecycle is not a resource type of hashicorp/aws 6.25.0 or hashicorp/archive 2.7.1 (did you mean aws_s3_bucket_lifecycle_configuration?)");

    [Fact]
    public void A_nested_block_the_resource_does_not_have_is_reported()
        => FixtureProblems("bad-nested-block").Should().Equal(
            "bad-nested-block/main.tf aws_dynamodb_table.metadata: point_in_time_restore is not an argument or block of aws_dynamodb_table (did you mean point_in_time_recovery?)");

    [Fact]
    public void The_content_of_a_dynamic_block_is_checked_as_the_block_it_generates()
        => FixtureProblems("bad-dynamic-content").Should().Equal(
            "bad-dynamic-content/main.tf aws_s3_bucket_lifecycle_configuration.zone.dynamic.rule[0].content: expiration_days is not an argument or block of the rule block of aws_s3_bucket_lifecycle_configuration (did you mean expiration?)");

    [Fact]
    public void The_fixture_run_fails_and_counts_one_problem_per_fixture()
    {
        var folders = Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "Fixtures", "provider-schema"));
        var result = Fixtures();

        result.ExitCode.Should().Be(1, result.ToString());
        var summary = Summary().Match(result.StdOut);
        summary.Success.Should().BeTrue(result.ToString());
        summary.Groups["problems"].Value.Should().Be(folders.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        folders.Should().HaveCount(6);
    }

    private static NodeTools.Result Fixtures()
    {
        NodeTools.EnsureAvailable(Packages);
        return LazyFixtures.Value;
    }

    private static List<string> FixtureProblems(string folder)
    {
        var result = Fixtures();
        result.ExitCode.Should().Be(1, result.ToString());
        return [.. result.StdOut.Split('\n').Where(l => l.StartsWith(folder + "/", StringComparison.Ordinal))];
    }

    [GeneratedRegex(@"^(?<bodies>\d+) resource, data and provider bodies in \d+ files checked against (?<versions>.+), (?<problems>\d+) problems$", RegexOptions.Multiline)]
    private static partial Regex Summary();
}
