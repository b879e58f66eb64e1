using Ingest.Deployment.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Ingest.Deployment.Tests;

/// <summary>cfn/seed.yaml: cfn-lint accepts it, and it has the skeleton's parameters, sections, resources and output.</summary>
public sealed class CloudFormationTests
{
    private static readonly Lazy<YamlMappingNode> LazyTemplate = new(() =>
    {
        using var reader = new StreamReader(RepoPaths.SeedTemplate);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    });

    private static YamlMappingNode Template => LazyTemplate.Value;

    private static YamlMappingNode Resources => Map(Template, "Resources");

    [Fact]
    public void Cfn_lint_accepts_the_seed_template()
    {
        NodeTools.EnsureAvailable("cfn-lint");
        var result = NodeTools.Bin("cfn-lint", "lib/index.js", "validate", RepoPaths.SeedTemplate);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StdOut.Should().Contain("Template valid");
    }

    [Fact]
    public void The_template_version_is_the_only_valid_one()
        => Scalar(Template, "AWSTemplateFormatVersion").Should().Be("2010-09-09");

    [Fact]
    public void It_keeps_the_skeleton_parameters()
    {
        var parameters = Map(Template, "Parameters");
        parameters.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().BeEquivalentTo(
        [
            "ProjectName", "Environment", "VpcID", "PrivateSubnetIDs", "IAMCodeBuildPoliciesARNs", "ConfigRepoURL",
            "GitSSHPrivateKey", "GitBranch", "DeploymentDirPath", "TerraformVersion",
        ]);
        Scalar(Map(parameters, "ProjectName"), "Default").Should().Be("aws-challenge");
        Scalar(Map(parameters, "Environment"), "Default").Should().Be("dev");
        Scalar(Map(parameters, "VpcID"), "Type").Should().Be("AWS::EC2::VPC::Id");
        Scalar(Map(parameters, "PrivateSubnetIDs"), "Type").Should().Be("List<AWS::EC2::Subnet::Id>");
        Scalar(Map(parameters, "GitSSHPrivateKey"), "NoEcho").Should().Be("true");
        Scalar(Map(parameters, "GitBranch"), "Default").Should().Be("master");
        Scalar(Map(parameters, "IAMCodeBuildPoliciesARNs"), "Default").Should().BeEmpty("AdministratorAccess is no longer the default");
    }

    [Fact]
    public void It_keeps_the_skeleton_sections_in_order()
    {
        var text = File.ReadAllText(RepoPaths.SeedTemplate);
        var sections = new[] { "SSM parameters", "IAM", "VPC resources", "CloudWatch Logs", "CodeBuild", "Terraform state" }
            .Select(s => text.IndexOf("---- " + s, StringComparison.Ordinal))
            .ToList();
        sections.Should().NotContain(-1).And.BeInAscendingOrder();
    }

    [Fact]
    public void The_CodeBuild_project_runs_terraform_in_every_deployment_path_from_the_private_subnets()
    {
        var project = Map(Resources, "CodeBuildProject");
        Scalar(project, "Type").Should().Be("AWS::CodeBuild::Project");
        var properties = Map(project, "Properties");
        var vpc = Map(properties, "VpcConfig");
        vpc.Children.Should().ContainKey(new YamlScalarNode("Subnets"));
        Map(properties, "LogsConfig").Children.Should().ContainKey(new YamlScalarNode("CloudWatchLogs"));

        var buildspec = Scalar(Map(properties, "Source"), "BuildSpec");
        buildspec.Should().Contain("$TF_VERSION").And.Contain("git clone").And.Contain("for dir in $DEPLOYMENT_DIRS")
            .And.Contain("terraform init").And.Contain("-backend-config=\"bucket=$TF_STATE_BUCKET\"")
            .And.Contain("terraform plan").And.Contain("terraform apply");

        // The buildspec is itself YAML with the three phases.
        var spec = new YamlStream();
        spec.Load(new StringReader(buildspec));
        var phases = Map((YamlMappingNode)spec.Documents[0].RootNode, "phases");
        phases.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().Equal("install", "pre_build", "build");

        var variables = ((YamlSequenceNode)Map(properties, "Environment")["EnvironmentVariables"]).Children.Cast<YamlMappingNode>().ToList();
        var sshKey = variables.Single(v => Scalar(v, "Name") == "GIT_SSH_KEY");
        Scalar(sshKey, "Type").Should().Be("SECRETS_MANAGER", "the key is never a plain-text variable");
    }

    [Fact]
    public void The_deploy_key_goes_to_Secrets_Manager_and_settings_to_SSM()
    {
        Scalar(Map(Resources, "GitSSHKeySecret"), "Type").Should().Be("AWS::SecretsManager::Secret");
        Resources.Children.Values.Cast<YamlMappingNode>().Count(r => Scalar(r, "Type") == "AWS::SSM::Parameter").Should().BeGreaterThanOrEqualTo(2);

        var keyUsers = Resources.Children
            .Where(r => r.Value.ToString().Contains("GitSSHPrivateKey", StringComparison.Ordinal))
            .Select(r => ((YamlScalarNode)r.Key).Value)
            .ToList();
        keyUsers.Should().Equal("GitSSHKeySecret");
    }

    [Fact]
    public void The_state_bucket_and_lock_table_match_backend_tf()
    {
        var bucket = Map(Resources, "StateBucket");
        Scalar(bucket, "Type").Should().Be("AWS::S3::Bucket");
        var bucketProperties = Map(bucket, "Properties");
        Scalar(Map(bucketProperties, "VersioningConfiguration"), "Status").Should().Be("Enabled");
        bucketProperties.Children.Should().ContainKey(new YamlScalarNode("BucketEncryption"));
        Scalar(Map(bucketProperties, "PublicAccessBlockConfiguration"), "BlockPublicAcls").Should().Be("true");

        var table = Map(Resources, "TerraformLockTable");
        Scalar(table, "Type").Should().Be("AWS::DynamoDB::Table");
        var tableProperties = Map(table, "Properties");
        Scalar(tableProperties, "TableName").Should().Be("tf-state-lock-bootstrap");
        var attribute = (YamlMappingNode)((YamlSequenceNode)tableProperties["AttributeDefinitions"]).Children.Single();
        (Scalar(attribute, "AttributeName"), Scalar(attribute, "AttributeType")).Should().Be(("LockID", "S"));
        var key = (YamlMappingNode)((YamlSequenceNode)tableProperties["KeySchema"]).Children.Single();
        (Scalar(key, "AttributeName"), Scalar(key, "KeyType")).Should().Be(("LockID", "HASH"));
    }

    [Fact]
    public void The_output_links_to_the_CodeBuild_project()
    {
        var output = Map(Map(Template, "Outputs"), "CodeBuildURL");
        var value = (YamlScalarNode)output["Value"];
        value.Tag.Value.Should().Be("!Sub");
        value.Value.Should().Contain("${CodeBuildProject}").And.Contain("codebuild");
    }

    [Fact]
    public void No_IAM_statement_grants_every_action_and_the_build_role_has_no_default_admin_policy()
    {
        var statements = Descendants(Resources).OfType<YamlMappingNode>()
            .Where(m => m.Children.ContainsKey(new YamlScalarNode("Effect")) && m.Children.ContainsKey(new YamlScalarNode("Action")))
            .ToList();
        statements.Should().HaveCountGreaterThan(10);
        foreach (var statement in statements)
        {
            var actions = Descendants(statement["Action"]).OfType<YamlScalarNode>().Select(s => s.Value).ToList();
            actions.Should().NotContain("*");
        }

        File.ReadAllText(RepoPaths.SeedTemplate).Should().NotContain("arn:aws:iam::aws:policy/AdministratorAccess");
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value;

    private static IEnumerable<YamlNode> Descendants(YamlNode node)
    {
        yield return node;
        IEnumerable<YamlNode> children = node switch
        {
            YamlMappingNode map => map.Children.Values,
            YamlSequenceNode seq => seq.Children,
            _ => [],
        };
        foreach (var child in children.SelectMany(Descendants))
        {
            yield return child;
        }
    }
}
