using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>
/// The CodeBuild deploy role of cfn/seed.yaml against what terraform/ makes the AWS provider call: every call of every
/// resource type (ProviderCalls, a table kept in this project) is allowed on the resource it names, no statement grants
/// a whole service, the calls that would leave the project or the permissions boundary are denied, and the policies fit
/// IAM's size limits. Each check runs on a deliberately broken template too, which it must reject.
/// </summary>
public sealed class DeployRoleTests
{
    private static readonly Lazy<TerraformModel> LazyModel = new(() =>
    {
        NodeTools.EnsureAvailable("@cdktf/hcl2json");
        return TerraformModel.Load();
    });

    private static string BrokenTemplate => Path.Combine(AppContext.BaseDirectory, "Fixtures", "broken-deploy-role.yaml");

    [Fact]
    public void The_deploy_role_allows_every_call_the_provider_makes_for_the_resources_of_terraform()
    {
        var problems = MissingCalls(RepoPaths.SeedTemplate, out var checkedCalls);

        checkedCalls.Should().BeGreaterThan(400, "every resource type of terraform/ contributes its calls");
        problems.Should().BeEmpty();
    }

    [Fact]
    public void Every_resource_and_data_type_of_terraform_has_an_entry_in_the_call_table()
    {
        var types = TerraformTypes();

        types.Should().Contain(["aws_kms_key", "aws_s3_bucket", "aws_iam_role", "data.aws_vpc"]);
        types.Where(t => !ProviderCalls.ByType.ContainsKey(t))
            .Select(t => $"{t} is used in terraform/ but ProviderCalls.cs does not list the provider's calls for it")
            .Should().BeEmpty();
    }

    [Fact]
    public void The_deploy_role_grants_no_service_wide_wildcard_and_neither_does_the_boundary()
    {
        var seed = IamPolicyEvaluator.Load(RepoPaths.SeedTemplate);
        seed.Statements.Should().HaveCountGreaterThan(30);
        seed.ServiceWideGrants().Should().BeEmpty();
        seed.ManagedPolicyActions("WorkloadBoundary").Should().NotBeEmpty()
            .And.NotContain(a => a == "*" || a.EndsWith(":*", StringComparison.Ordinal));
    }

    [Fact]
    public void The_deploy_role_cannot_leave_the_project_or_the_permissions_boundary()
    {
        var seed = IamPolicyEvaluator.Load(RepoPaths.SeedTemplate);
        var names = Names(seed);

        ProviderCalls.Forbidden(names).Where(f => seed.IsAllowed(f.Call))
            .Select(f => $"{f.Call} is allowed: {f.Why}")
            .Should().BeEmpty();
    }

    [Fact]
    public void The_boundary_the_role_must_attach_is_the_template_s_own_policy_and_terraform_attaches_it_to_every_role()
    {
        var seed = IamPolicyEvaluator.Load(RepoPaths.SeedTemplate);

        // The build passes the boundary to Terraform, and it is the managed policy the CreateRole condition demands.
        seed.BuildVariable("TF_VAR_permissions_boundary_arn").Should().Be("{Ref:WorkloadBoundary}");
        Scalar(seed, "WorkloadBoundary", "Type").Should().Be("AWS::IAM::ManagedPolicy");
        seed.Statements.Should().Contain(s => s.Actions.Contains("iam:CreateRole") && s.Conditions.Any(c => c.Key == "iam:PermissionsBoundary" && c.Values.SequenceEqual(new[] { "{Ref:WorkloadBoundary}" })));

        // Every aws_iam_role of terraform/ sets permissions_boundary from the variable the build fills in.
        var model = LazyModel.Value;
        var roles = model.Modules.Values.SelectMany(m => m.Resources.Where(r => r.Key.StartsWith("aws_iam_role.", StringComparison.Ordinal)).Select(r => (m.Path, r.Key, r.Value))).ToList();
        roles.Should().HaveCount(4);
        roles.Where(r => !r.Value.TryGetProperty("permissions_boundary", out var b) || b.GetString() != "${var.permissions_boundary_arn}")
            .Select(r => $"terraform/{r.Path} {r.Key} has no permissions_boundary = var.permissions_boundary_arn")
            .Should().BeEmpty();
        model.Root.Variables.Should().ContainKey("permissions_boundary_arn");
        model.Root.Variables["permissions_boundary_arn"].TryGetProperty("default", out _).Should().BeFalse("a role without the boundary cannot be created, so there is no default");

        // The boundary itself grants no IAM action: a workload role cannot widen itself or others.
        seed.ManagedPolicyActions("WorkloadBoundary").Should().NotContain(a => a.StartsWith("iam:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_terraform_variables_match_the_seed_parameters_the_policies_are_written_for()
    {
        var seed = IamPolicyEvaluator.Load(RepoPaths.SeedTemplate);
        var root = LazyModel.Value.Root;

        root.Variables["project_name"].GetProperty("default").GetString().Should().Be(seed.Parameter("ProjectName"));
        root.Variables["environment"].GetProperty("default").GetString().Should().Be(seed.Parameter("Environment"));
        TerraformModel.Strings(root.Variables["catalog_databases"].GetProperty("default")).Should().Equal(seed.ParameterList("CatalogDatabases"));
        seed.BuildVariable("TF_VAR_catalog_databases").Should().Be("[\"sales\",\"crm\",\"finance\",\"inventory\"]");

        // The calls carry the project's tags because the provider sets them on every resource.
        var tags = LazyModel.Value.Files["provider.tf"].GetProperty("provider").GetProperty("aws")[0].GetProperty("default_tags")[0].GetProperty("tags");
        tags.GetProperty("Project").GetString().Should().Be("${var.project_name}");
        tags.GetProperty("Environment").GetString().Should().Be("${var.environment}");
    }

    [Fact]
    public void The_policies_fit_the_IAM_size_limits()
    {
        var sizes = IamPolicyEvaluator.Load(RepoPaths.SeedTemplate).PolicySizes().ToList();

        sizes.Should().Contain(s => s.Managed);
        sizes.Where(s => s.Managed && s.Characters > 6144).Select(s => $"{s.Name}: {s.Characters} characters, a managed policy may have 6,144").Should().BeEmpty();
        sizes.Where(s => !s.Managed).Sum(s => s.Characters).Should().BeLessThanOrEqualTo(10240, "the inline policies of a role may have 10,240 characters together");
    }

    [Fact]
    public void The_checks_reject_a_broken_deploy_role()
    {
        var broken = IamPolicyEvaluator.Load(BrokenTemplate);

        MissingCalls(BrokenTemplate, out _).Should()
            .Contain(p => p.StartsWith("aws_kms_key: kms:ListResourceTags on arn:aws:kms:", StringComparison.Ordinal), "kms:*Key* does not match ListResourceTags")
            .And.Contain(p => p.StartsWith("aws_athena_workgroup: athena:TagResource", StringComparison.Ordinal), "athena:*WorkGroup* does not match TagResource")
            .And.Contain(p => p.StartsWith("aws_iam_role_policy: iam:PutRolePolicy", StringComparison.Ordinal), "the boundary condition names another policy")
            .And.Contain(p => p.StartsWith("aws_cloudwatch_log_group: logs:CreateLogGroup on arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/jobs/aws-challenge-dev-ingest-glue-job-role/", StringComparison.Ordinal), "only the old job log group is allowed");

        broken.ServiceWideGrants().Should().BeEquivalentTo(
            "CodeBuildRole policy broken statement LakeBuckets: allows s3:*",
            "CodeBuildRole policy broken statement Everything: allows *",
            "BrokenManaged statement Orchestration: allows states:*");

        var names = Names(broken);
        ProviderCalls.Forbidden(names).Where(f => broken.IsAllowed(f.Call)).Select(f => f.Why).Should().Contain(
            ["passing the Glue role to another service", "deleting a key of another project", "a role without the permissions boundary", "deleting the Terraform state bucket"]);

        broken.PolicySizes().Should().Contain(s => s.Name == "BrokenManaged" && s.Characters > 6144);
    }

    private static List<string> MissingCalls(string template, out int checkedCalls)
    {
        var policy = IamPolicyEvaluator.Load(template);
        var names = Names(policy);
        var problems = new List<string>();
        checkedCalls = 0;
        foreach (var type in TerraformTypes())
        {
            if (!ProviderCalls.ByType.TryGetValue(type, out var calls))
            {
                continue;
            }

            foreach (var call in calls(names))
            {
                checkedCalls++;
                if (!policy.IsAllowed(call))
                {
                    problems.Add($"{type}: {call} is not allowed to the deploy role");
                }
            }
        }

        return problems;
    }

    private static DeployNames Names(IamPolicyEvaluator policy)
        => new(policy.Parameter("ProjectName"), policy.Parameter("Environment"), CatalogDatabases(policy), policy.BuildVariable("TF_VAR_permissions_boundary_arn"));

    private static List<string> CatalogDatabases(IamPolicyEvaluator policy)
        => [.. policy.ParameterList("CatalogDatabases")];

    /// <summary>Resource types (aws_x) and data types (data.aws_x) used anywhere in terraform/.</summary>
    private static SortedSet<string> TerraformTypes()
    {
        var model = LazyModel.Value;
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var module in model.Modules.Values)
        {
            types.UnionWith(module.Resources.Keys.Select(k => k[..k.IndexOf('.', StringComparison.Ordinal)]));
            types.UnionWith(module.Data.Keys.Select(k => "data." + k[..k.IndexOf('.', StringComparison.Ordinal)]));
        }

        return types;
    }

    private static YamlDotNet.RepresentationModel.YamlMappingNode Map(YamlDotNet.RepresentationModel.YamlMappingNode node, string key)
        => (YamlDotNet.RepresentationModel.YamlMappingNode)node[key];

    private static string? Scalar(IamPolicyEvaluator policy, string resource, string key)
        => ((YamlDotNet.RepresentationModel.YamlScalarNode)Map(policy.Resources, resource)[key]).Value;
}
