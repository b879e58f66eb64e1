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

    // The npm cfn-lint's resource specification predates properties the registry schemas have (a log group's
    // KmsKeyId, a bucket's BucketKeyEnabled): the template is checked against the registry schemas instead.
    [Fact]
    public void The_seed_template_matches_the_CloudFormation_registry_schemas()
    {
        NodeTools.EnsureAvailable("@aws-cdk/aws-service-spec", "yaml");
        var result = NodeTools.Node("cfn-spec.cjs", RepoPaths.SeedTemplate);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StdOut.Should().Contain("resources checked, 0 problems");
    }

    [Fact]
    public void The_schema_check_catches_a_broken_template()
    {
        NodeTools.EnsureAvailable("@aws-cdk/aws-service-spec", "yaml");
        var result = NodeTools.Node("cfn-spec.cjs", Path.Combine(AppContext.BaseDirectory, "Fixtures", "broken-seed.yaml"));

        result.ExitCode.Should().Be(1, result.ToString());
        result.StdOut.Should().Contain("Resources.Logs.Properties: KmsKeyID is not a property of AWS::Logs::LogGroup")
            .And.Contain("Resources.Table.Properties.KeySchema[0]: KeySchema requires KeyType")
            .And.Contain("Resources.Queue: AWS::SQS::Qeue is not a CloudFormation resource type");
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
            "GitSSHPrivateKey", "GitBranch", "DeploymentDirPath", "TerraformVersion", "GitKnownHosts",
            "HashiCorpReleaseKeyFingerprint", "CatalogDatabases",
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

    [Theory]
    [InlineData("kms:ListResourceTags", "the provider reads the lake key's tags after creating it")]
    [InlineData("kms:CreateAlias", "the lake key's alias")]
    [InlineData("athena:TagResource", "the workgroup is created with tags")]
    [InlineData("athena:ListTagsForResource", "the provider reads the workgroup's tags back")]
    [InlineData("athena:CreateWorkGroup", "the workgroup")]
    public void The_build_role_allows_the_calls_of_the_first_apply(string action, string why)
    {
        var allowed = BuildRoleStatements()
            .Where(s => Scalar(s, "Effect") == "Allow")
            .SelectMany(s => Descendants(s["Action"]).OfType<YamlScalarNode>().Select(a => a.Value!))
            .ToList();

        allowed.Should().Contain(pattern => IamPattern.Matches(pattern, action), $"{action} is called: {why}");
    }

    [Fact]
    public void Every_private_subnet_may_hold_the_build_network_interface()
    {
        var statement = BuildRoleStatements().Single(s => Scalar(s, "Sid") == "VpcBuildInterfacePermission");
        var subnets = Map(Map(statement, "Condition"), "ArnLike")["ec2:Subnet"];

        // !Split [',', !Join ['', [prefix, !Join [',' + prefix, !Ref PrivateSubnetIDs]]]]: one ARN per listed subnet.
        var text = Descendants(subnets).OfType<YamlScalarNode>().Select(n => $"{n.Tag}:{n.Value}").ToList();
        text.Should().Contain("!Ref:PrivateSubnetIDs");
        Descendants(subnets).Should().NotContain(n => n.Tag == "!Select", "only the first subnet would be allowed");
        var innerJoin = Descendants(subnets).OfType<YamlSequenceNode>().Single(n => n.Tag == "!Join" && n.Children[1] is YamlScalarNode { Tag.Value: "!Ref" });
        ((YamlScalarNode)innerJoin.Children[0]).Value.Should().Be(",arn:*:ec2:*:*:subnet/");
    }

    [Fact]
    public void The_build_verifies_HashiCorps_signature_pins_known_hosts_and_drops_the_key()
    {
        var properties = Map(Map(Resources, "CodeBuildProject"), "Properties");
        var buildspec = Scalar(Map(properties, "Source"), "BuildSpec")!;

        buildspec.Should().Contain("_SHA256SUMS.sig").And.Contain("gpg --batch --status-fd 1 --verify terraform.sha256.sig terraform.sha256")
            .And.Contain("VALIDSIG .* ${HASHICORP_KEY_FINGERPRINT}$");
        buildspec.IndexOf("VALIDSIG", StringComparison.Ordinal).Should().BeLessThan(buildspec.IndexOf("sha256sum -c", StringComparison.Ordinal), "the checksum file is trusted only after its signature");
        buildspec.Should().NotContain("ssh-keyscan", "the host key is pinned in SSM").And.Contain("\"$GIT_KNOWN_HOSTS\" > ~/.ssh/known_hosts");
        buildspec.IndexOf("unset GIT_SSH_KEY", StringComparison.Ordinal).Should().BeGreaterThan(buildspec.IndexOf("id_deploy", StringComparison.Ordinal))
            .And.BeLessThan(buildspec.IndexOf("terraform init", StringComparison.Ordinal));

        var variables = ((YamlSequenceNode)Map(properties, "Environment")["EnvironmentVariables"]).Children.Cast<YamlMappingNode>().ToList();
        Scalar(variables.Single(v => Scalar(v, "Name") == "GIT_KNOWN_HOSTS"), "Value").Should().Be("KnownHostsParameter");
        Scalar(Map(Map(Resources, "KnownHostsParameter"), "Properties"), "Type").Should().Be("String");
    }

    [Fact]
    public void The_build_log_group_has_a_KMS_key_and_the_state_bucket_a_bucket_key()
    {
        Map(Map(Resources, "BuildLogGroup"), "Properties").Children.Should().ContainKey(new YamlScalarNode("KmsKeyId"));
        var keyPolicy = Map(Map(Map(Resources, "SeedKey"), "Properties"), "KeyPolicy").ToString();
        keyPolicy.Should().Contain("kms:EncryptionContext:aws:logs:arn", "CloudWatch Logs may use the key for the build log group only");

        var encryption = (YamlMappingNode)((YamlSequenceNode)Map(Map(Map(Resources, "StateBucket"), "Properties"), "BucketEncryption")["ServerSideEncryptionConfiguration"]).Children.Single();
        Scalar(encryption, "BucketKeyEnabled").Should().Be("true");
    }

    // The role's inline policies and the template's managed policies attached to it (Roles: [!Ref CodeBuildRole]).
    private static IEnumerable<YamlMappingNode> BuildRoleStatements()
        => ((YamlSequenceNode)Map(Map(Resources, "CodeBuildRole"), "Properties")["Policies"]).Children.Cast<YamlMappingNode>()
            .Concat(Resources.Children.Values.Cast<YamlMappingNode>()
                .Where(r => Scalar(r, "Type") == "AWS::IAM::ManagedPolicy" && Map(r, "Properties").Children.TryGetValue(new YamlScalarNode("Roles"), out var roles)
                            && ((YamlSequenceNode)roles).Children.OfType<YamlScalarNode>().Any(n => n.Tag.Value == "!Ref" && n.Value == "CodeBuildRole"))
                .Select(r => Map(r, "Properties")))
            .SelectMany(p => ((YamlSequenceNode)Map(p, "PolicyDocument")["Statement"]).Children.Cast<YamlMappingNode>());

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
