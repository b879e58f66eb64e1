using System.Text.RegularExpressions;
using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>
/// What the deployment costs at idle and how it reaches the AWS APIs: interface endpoints only on request and only for
/// the services the job calls, gateway endpoints on every private route table (the main one too), one endpoint subnet
/// per zone, the Glue 5.0 log groups with retention and the key, a Standard parameter, worker types a glueetl job
/// accepts, a job run limit above the Map's concurrency, and the idle-cost table in the docs.
/// </summary>
public sealed partial class CostAndNetworkTests
{
    private static readonly Lazy<TerraformModel> LazyModel = new(() =>
    {
        NodeTools.EnsureAvailable("@cdktf/hcl2json");
        return TerraformModel.Load();
    });

    private static TerraformModule Root => LazyModel.Value.Root;

    [Fact]
    public void Interface_endpoints_are_opt_in_and_only_for_services_the_job_calls()
    {
        var services = Root.Variables["interface_endpoint_services"];
        services.GetProperty("default").GetArrayLength().Should().Be(0, "six endpoints in every zone cost about $130 a month at idle");
        var validation = services.GetProperty("validation")[0].GetProperty("condition").GetString()!;
        ListIn(validation).Should().BeEquivalentTo(["glue", "logs", "monitoring"], "Secrets Manager, KMS and STS are not called by the job");

        Root.Resources["aws_vpc_endpoint.interface"].GetProperty("for_each").GetString().Should().Be("${local.interface_endpoints}");
        Root.Locals["interface_endpoints"].GetString().Should().Be("${toset(var.interface_endpoint_services)}");
        foreach (var name in new[] { "aws_security_group.endpoints", "aws_vpc_security_group_ingress_rule.endpoints_from_glue", "aws_vpc_security_group_egress_rule.glue_endpoints" })
        {
            Root.Resources[name].GetProperty("count").GetString().Should().Contain("length(local.interface_endpoints) > 0", name + " exists only with an endpoint");
        }

        // The gateway endpoints (free) stay on by default.
        Root.Variables["create_vpc_endpoints"].GetProperty("default").GetBoolean().Should().BeTrue();
        Root.Resources["aws_vpc_endpoint.gateway"].GetProperty("for_each").GetString().Should().Contain("\"s3\", \"dynamodb\"");
    }

    [Fact]
    public void Gateway_endpoints_also_get_the_main_route_table_when_a_private_subnet_uses_it()
    {
        var main = Root.Data["aws_route_table.main"];
        var filter = main.GetProperty("filter")[0];
        (filter.GetProperty("name").GetString(), TerraformModel.Strings(filter.GetProperty("values")).Single()).Should().Be(("association.main", "true"));

        Root.Resources["aws_vpc_endpoint.gateway"].GetProperty("route_table_ids").GetString().Should().Be("${local.private_route_table_ids}");
        var ids = Root.Locals["private_route_table_ids"].GetString()!;
        ids.Should().Contain("data.aws_route_tables.private.ids")
            .And.Contain("length(local.implicitly_routed_subnets) > 0 ? [data.aws_route_table.main.id] : []");
        Root.Locals["implicitly_routed_subnets"].GetString().Should()
            .Be("${setsubtract(toset(data.aws_subnets.private.ids), local.explicitly_routed_subnets)}");
        Root.Locals["explicitly_routed_subnets"].GetString().Should().Contain("data.aws_route_table.private").And.Contain("a.subnet_id");
    }

    [Fact]
    public void Interface_endpoints_take_one_subnet_per_availability_zone()
    {
        Root.Resources["aws_vpc_endpoint.interface"].GetProperty("subnet_ids").GetString().Should().Be("${local.endpoint_subnet_ids}");
        var perZone = Root.Locals["endpoint_subnet_ids"].GetString()!;
        perZone.Should().MatchRegex(@"subnet\.availability_zone\s*=>\s*subnet\.id\.\.\.", "subnets are grouped by zone")
            .And.Contain("sort(ids)[0]", "one subnet of each zone");
        Root.Data["aws_subnet.private"].GetProperty("for_each").GetString().Should().Be("${toset(data.aws_subnets.private.ids)}");
    }

    [Fact]
    public void The_Glue_5_log_groups_are_created_with_retention_and_the_lake_key_under_the_names_Glue_uses()
    {
        var job = LazyModel.Value.Modules["glue_ingest_job/modules/glue_job"];
        var groups = job.Resources["aws_cloudwatch_log_group.job"];
        groups.GetProperty("for_each").GetString().Should().Be("${local.log_groups}");
        groups.GetProperty("retention_in_days").GetString().Should().Be("${var.log_retention_days}");
        groups.GetProperty("kms_key_id").GetString().Should().Be("${var.kms_key_arn}");

        // With a security configuration that encrypts CloudWatch Logs, Glue writes to
        // /aws-glue/jobs/<security configuration>-role/<role>/error and …/output.
        job.Locals["log_groups"].GetString().Should().Contain("[\"error\", \"output\"]")
            .And.Contain("/aws-glue/jobs/${local.security_name}-role/${local.role_name}/${stream}");
        job.Resources["aws_glue_security_configuration.ingest"].GetProperty("name").GetString().Should().Be("${local.security_name}");
        job.Resources["aws_glue_security_configuration.ingest"].GetProperty("encryption_configuration")[0].GetProperty("cloudwatch_encryption")[0]
            .GetProperty("cloudwatch_encryption_mode").GetString().Should().Be("SSE-KMS");
        job.Resources["aws_iam_role.glue"].GetProperty("name").GetString().Should().Be("${local.role_name}");
        var jobResource = job.Resources["aws_glue_job.ingest"];
        jobResource.GetProperty("security_configuration").GetString().Should().Be("${aws_glue_security_configuration.ingest.name}");
        jobResource.GetProperty("glue_version").GetString().Should().Be("5.0");
        TerraformModel.Strings(jobResource.GetProperty("depends_on")).Should().Contain("${aws_cloudwatch_log_group.job}");

        // The deploy role may create exactly these names.
        var seed = IamPolicyEvaluator.Load(RepoPaths.SeedTemplate);
        foreach (var stream in new[] { "error", "output" })
        {
            var arn = $"arn:aws:logs:{IamPolicyEvaluator.Region}:{IamPolicyEvaluator.AccountId}:log-group:/aws-glue/jobs/aws-challenge-dev-ingest-glue-job-role/aws-challenge-dev-ingest-glue-job/{stream}";
            seed.IsAllowed(new IamCall("logs:CreateLogGroup", arn)).Should().BeTrue(arn);
        }
    }

    [Fact]
    public void The_outputs_parameter_is_Standard_tier()
        => Root.Resources["aws_ssm_parameter.outputs"].GetProperty("tier").GetString().Should().Be("Standard");

    [Fact]
    public void Worker_types_are_those_a_glueetl_job_accepts()
    {
        var validation = Root.Variables["glue_worker_type"].GetProperty("validation")[0].GetProperty("condition").GetString()!;
        ListIn(validation).Should().BeEquivalentTo(["G.1X", "G.2X", "G.4X", "G.8X"], "StartJobRun refuses G.025X (streaming) and Z.2X (Ray) for a glueetl job");
        LazyModel.Value.Modules["glue_ingest_job/modules/glue_job"].Resources["aws_glue_job.ingest"].GetProperty("command")[0]
            .GetProperty("name").GetString().Should().Be("glueetl");
    }

    [Fact]
    public void The_job_run_limit_is_above_the_Maps_concurrency()
    {
        var call = Root.ModuleCalls["glue_ingest_default_job"];
        call.GetProperty("max_concurrent_runs").GetString().Should().Be("${var.glue_max_concurrent_runs}");
        Root.ModuleCalls["step_1_parallelism"].GetProperty("max_concurrency").GetString().Should().Be("${var.max_concurrency}");

        var limit = Root.Variables["glue_max_concurrent_runs"];
        limit.GetProperty("default").GetInt32().Should().BeGreaterThan(Root.Variables["max_concurrency"].GetProperty("default").GetInt32());
        limit.GetProperty("validation")[0].GetProperty("condition").GetString().Should().Contain("var.glue_max_concurrent_runs > var.max_concurrency");
    }

    [Fact]
    public void The_docs_give_the_idle_cost_with_the_defaults_under_five_dollars_a_month()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "aws-architecture.md"));
        var section = doc[doc.IndexOf("## Cost at idle", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 3, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];

        section.Should().Contain("us-east-1").And.Contain("list price");
        var total = TotalRow().Match(section);
        total.Success.Should().BeTrue("the table has a row 'Fixed monthly cost at idle, defaults' with a dollar amount");
        decimal.Parse(total.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).Should().BeLessThan(5m);
        section.Should().Contain("interface_endpoint_services", "what each optional part adds");
    }

    private static List<string> ListIn(string condition)
        => [.. QuotedList().Match(condition).Groups[1].Value.Split(',').Select(s => s.Trim().Trim('"'))];

    [GeneratedRegex(@"contains\(\[([^\]]*)\]")]
    private static partial Regex QuotedList();

    [GeneratedRegex(@"\|\s*\*\*Fixed monthly cost at idle, defaults\*\*\s*(?:\|\s*)+\*\*\$([0-9]+(?:\.[0-9]+)?)\*\*")]
    private static partial Regex TotalRow();
}
