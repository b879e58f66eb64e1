using System.Text.Json;
using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>
/// terraform/ as HashiCorp's parser reads it: every file parses, every reference resolves, module calls match the
/// modules they call, IAM stays least-privilege, and the skeleton's contract (names, backend, modules) holds.
/// </summary>
public sealed class TerraformTests
{
    private static readonly Lazy<TerraformModel> LazyModel = new(TerraformModel.Load);

    // Actions without resource-level permissions: the only ones an identity policy may grant on "*".
    private static readonly HashSet<string> ActionsWithoutResourceScope = new(StringComparer.Ordinal)
    {
        "cloudwatch:PutMetricData",
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkInterfaces",
        "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags",
    };

    private static TerraformModel Model
    {
        get
        {
            NodeTools.EnsureAvailable("@cdktf/hcl2json");
            return LazyModel.Value;
        }
    }

    [Fact]
    public void Every_tf_file_parses_with_the_HashiCorp_parser()
    {
        var model = Model;
        var onDisk = Directory.EnumerateFiles(RepoPaths.Terraform, "*.tf", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.terraform{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoPaths.Terraform, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

        model.Errors.Should().BeEmpty();
        model.Files.Keys.Order(StringComparer.Ordinal).Should().Equal(onDisk);
        onDisk.Should().Contain(["backend.tf", "provider.tf", "variables.tf", "main.tf", "output.tf", "glue_ingest_job/glue_jobs.tf"]);
    }

    [Fact]
    public void Every_reference_is_declared_in_its_module()
    {
        var problems = new List<string>();
        foreach (var module in Model.Modules.Values)
        {
            foreach (var reference in module.AllReferences().Distinct())
            {
                var declared = reference.Kind switch
                {
                    "var" => module.Variables.ContainsKey(reference.Name),
                    "local" => module.Locals.ContainsKey(reference.Name),
                    "module" => module.ModuleCalls.ContainsKey(reference.Name),
                    "data" => module.Data.ContainsKey(reference.Name),
                    "resource" => module.Resources.ContainsKey(reference.Name),
                    _ => false,
                };
                if (!declared)
                {
                    problems.Add($"{Label(module)}: {reference.Kind} {reference.Name} is referenced but not declared");
                }
            }
        }

        problems.Should().BeEmpty();
    }

    [Fact]
    public void Module_calls_match_the_variables_and_outputs_of_the_modules_they_call()
    {
        var model = Model;
        var problems = new List<string>();
        foreach (var module in model.Modules.Values)
        {
            foreach (var (name, call) in module.ModuleCalls)
            {
                var source = call.GetProperty("source").GetString()!;
                var childPath = TerraformModel.ResolveSource(module.Path, source);
                if (!model.Modules.TryGetValue(childPath, out var child))
                {
                    problems.Add($"{Label(module)}: module {name} calls {source}, which has no .tf files");
                    continue;
                }

                var arguments = call.EnumerateObject().Select(p => p.Name)
                    .Where(n => n is not ("source" or "version" or "providers" or "depends_on" or "count" or "for_each"))
                    .ToHashSet(StringComparer.Ordinal);
                problems.AddRange(arguments.Where(a => !child.Variables.ContainsKey(a))
                    .Select(a => $"{Label(module)}: module {name} passes {a}, which {childPath} does not declare"));
                problems.AddRange(child.Variables.Where(v => !v.Value.TryGetProperty("default", out _) && !arguments.Contains(v.Key))
                    .Select(v => $"{Label(module)}: module {name} does not pass the required variable {v.Key}"));

                foreach (var reference in module.AllReferences().Where(r => r.Kind == "module" && r.Name == name && r.Attribute is not null).Distinct())
                {
                    if (!child.Outputs.ContainsKey(reference.Attribute!))
                    {
                        problems.Add($"{Label(module)}: module.{name}.{reference.Attribute} is not an output of {childPath}");
                    }
                }
            }
        }

        problems.Should().BeEmpty();
    }

    [Fact]
    public void Outputs_include_every_name_the_SDK_reads_from_terraform_output_json()
    {
        var root = Model.Root;

        // ingest_lake_bucket is the one-bucket alternative to the per-zone buckets this deployment creates.
        var expected = Ingest.Aws.AwsIngestOptions.TerraformOutputNames.Where(n => n != "ingest_lake_bucket").ToList();

        root.Outputs.Keys.Should().Contain(expected);
        expected.Should().Contain(["ingest_region", "ingest_raw_bucket", "ingest_curated_bucket", "ingest_quarantine_bucket", "ingest_table_name"]);
    }

    [Fact]
    public void Outputs_give_the_SDK_every_value_it_needs_and_reference_declared_things()
    {
        var root = Model.Root;
        root.Outputs.Keys.Should().Contain(
        [
            "aws_region", "buckets", "metadata_table_name", "kms_key_arn", "athena_workgroup", "glue_databases",
            "glue_job_name", "state_machine_arn", "failure_topic_arn", "ingest_settings",
        ]);

        foreach (var (name, output) in root.Outputs)
        {
            output.TryGetProperty("value", out var value).Should().BeTrue($"output {name} has a value");
            var references = TerraformModel.Strings(value).SelectMany(TerraformModel.References).ToList();
            references.Should().NotBeEmpty($"output {name} should come from what the configuration creates");
        }

        // The one-object output carries the same values as the individual ones.
        var settings = root.Outputs["ingest_settings"].GetProperty("value");
        settings.EnumerateObject().Select(p => p.Name).Should().Contain(
        [
            "region", "buckets", "metadataTable", "kmsKeyArn", "athenaWorkgroup", "glueDatabases", "glueJobName",
            "stateMachineArn", "failureTopicArn",
        ]);
        TerraformModel.Strings(settings.GetProperty("buckets")).Should().Contain(s => s.Contains("local.zones", StringComparison.Ordinal));
    }

    [Fact]
    public void No_IAM_statement_grants_everything_and_identity_policies_name_their_resources()
    {
        var problems = new List<string>();
        var policyDocuments = 0;
        foreach (var module in Model.Modules.Values)
        {
            foreach (var (name, document) in module.Data.Where(d => d.Key.StartsWith("aws_iam_policy_document.", StringComparison.Ordinal)))
            {
                policyDocuments++;
                foreach (var statement in Statements(document))
                {
                    var actions = StringList(statement, "actions");
                    var resources = StringList(statement, "resources");
                    var allow = !statement.TryGetProperty("effect", out var effect) || effect.GetString() == "Allow";
                    var resourcePolicy = statement.TryGetProperty("principals", out _);
                    var where = $"{Label(module)} {name} statement {Sid(statement)}";

                    if (actions.Contains("*"))
                    {
                        problems.Add($"{where}: grants the action \"*\"");
                    }

                    if (allow && actions.Any(a => a.EndsWith(":*", StringComparison.Ordinal)) && resources.Contains("*") && !resourcePolicy)
                    {
                        problems.Add($"{where}: grants a whole service on \"*\"");
                    }

                    // Identity policies: "*" only for actions that cannot be scoped to a resource.
                    if (allow && !resourcePolicy && resources.Contains("*"))
                    {
                        problems.AddRange(actions.Where(a => !ActionsWithoutResourceScope.Contains(a))
                            .Select(a => $"{where}: {a} on \"*\" although it can be scoped to a resource"));
                    }
                }
            }
        }

        policyDocuments.Should().BeGreaterThan(5);
        problems.Should().BeEmpty();
    }

    [Fact]
    public void Every_role_policy_comes_from_a_checked_policy_document()
    {
        var policies = Model.Modules.Values
            .SelectMany(m => m.Resources.Where(r => r.Key.StartsWith("aws_iam_role_policy.", StringComparison.Ordinal)).Select(r => (Module: m, r.Key, r.Value)))
            .ToList();

        policies.Should().HaveCountGreaterThanOrEqualTo(4);
        foreach (var (module, key, body) in policies)
        {
            body.GetProperty("policy").GetString().Should().MatchRegex(@"^\$\{data\.aws_iam_policy_document\.[\w-]+\.json\}$", $"{Label(module)} {key}");
        }

        Model.Modules.Values.SelectMany(m => m.Resources.Keys).Should().NotContain(k => k.StartsWith("aws_iam_role_policy_attachment.", StringComparison.Ordinal), "managed policies are not checked here");
    }

    [Fact]
    public void The_skeleton_contract_holds()
    {
        var model = Model;
        var backend = model.Files["backend.tf"].GetProperty("terraform")[0].GetProperty("backend").GetProperty("s3")[0];
        backend.GetProperty("dynamodb_table").GetString().Should().Be("tf-state-lock-bootstrap");
        backend.GetProperty("encrypt").GetBoolean().Should().BeTrue();
        backend.TryGetProperty("bucket", out _).Should().BeFalse("the bucket comes from -backend-config");

        var providers = model.Files["provider.tf"].GetProperty("terraform")[0].GetProperty("required_providers")[0];
        providers.GetProperty("aws").GetProperty("source").GetString().Should().Be("hashicorp/aws");
        model.Files["provider.tf"].GetProperty("provider").GetProperty("aws")[0].GetProperty("region").GetString().Should().Be("${var.aws_region}");

        var root = model.Root;
        root.Variables["aws_region"].GetProperty("default").GetString().Should().Be("eu-west-1");
        root.Variables["vpc_name"].GetProperty("default").GetString().Should().Be("private-dev-aftersales");
        model.Files["main.tf"].GetProperty("module").EnumerateObject().Select(m => m.Name)
            .Should().BeEquivalentTo(["step_1_parallelism", "glue_ingest_default_job"]);

        var glueJobs = model.Files["glue_ingest_job/glue_jobs.tf"].GetProperty("module");
        glueJobs.EnumerateObject().Select(m => m.Name).Should().BeEquivalentTo(
            ["glue_job_default_artifact_py", "glue_job_default_artifact_dependencies", "glue_ingest"]);
        var glueIngest = glueJobs.GetProperty("glue_ingest")[0];
        glueIngest.GetProperty("job_name").GetString().Should().Be("${local.job_name}");
        model.Modules["glue_ingest_job"].Locals["job_name"].GetString().Should().Be("ingest-glue-job");
        glueIngest.GetProperty("glue_connections_name").GetString().Should().Be("${var.config[\"glue_connections_list\"]}");
    }

    [Fact]
    public void The_Glue_job_runs_Glue_5_Python_3_without_bookmarks_with_logs_and_metrics_in_the_VPC()
    {
        var job = Model.Modules["glue_ingest_job/modules/glue_job"].Resources["aws_glue_job.ingest"];
        job.GetProperty("glue_version").GetString().Should().StartWith("5.");
        job.GetProperty("worker_type").GetString().Should().Be("${var.worker_type}");
        job.GetProperty("number_of_workers").GetString().Should().Be("${var.number_of_workers}");
        job.GetProperty("connections").GetString().Should().Be("${var.glue_connections_name}");
        var command = job.GetProperty("command")[0];
        command.GetProperty("name").GetString().Should().Be("glueetl");
        command.GetProperty("python_version").GetString().Should().Be("3");
        var arguments = job.GetProperty("default_arguments");
        arguments.GetProperty("--job-bookmark-option").GetString().Should().Be("job-bookmark-disable");
        // Glue 5.0 ignores the Glue 4.0 continuous-logging arguments; its log groups are created by Terraform instead.
        arguments.TryGetProperty("--enable-continuous-cloudwatch-log", out _).Should().BeFalse();
        arguments.TryGetProperty("--continuous-log-logGroup", out _).Should().BeFalse();
        arguments.GetProperty("--enable-metrics").GetString().Should().Be("true");
        arguments.GetProperty("--metadata_table").GetString().Should().Be("${var.metadata_table_name}");

        var connection = Model.Root.Resources["aws_glue_connection.onprem"];
        connection.GetProperty("connection_type").GetString().Should().Be("NETWORK");
        var network = connection.GetProperty("physical_connection_requirements")[0];
        network.GetProperty("subnet_id").GetString().Should().Contain("data.aws_subnet.glue");
        Model.Root.Data["aws_subnets.private"].GetProperty("tags").GetRawText().Should().Contain("private_subnet_tag");

        // The job's security group opens nothing to the world: inbound only from itself.
        var ingress = Model.Root.Resources.Where(r => r.Key.StartsWith("aws_vpc_security_group_ingress_rule.glue", StringComparison.Ordinal)).ToList();
        ingress.Should().ContainSingle();
        ingress[0].Value.GetProperty("referenced_security_group_id").GetString().Should().Be("${aws_security_group.glue.id}");
        Model.Root.Resources.Where(r => r.Key.StartsWith("aws_vpc_security_group_ingress_rule.", StringComparison.Ordinal))
            .Select(r => r.Value.TryGetProperty("cidr_ipv4", out var cidr) ? cidr.GetString() : null)
            .Should().NotContain("0.0.0.0/0");

        // Outbound to anywhere only on 443 (the AWS APIs through the NAT), and only while an interface endpoint is missing.
        var open = Model.Root.Resources.Where(r => r.Key.StartsWith("aws_vpc_security_group_egress_rule.", StringComparison.Ordinal)
                                                   && r.Value.TryGetProperty("cidr_ipv4", out var c) && c.GetString() == "0.0.0.0/0").ToList();
        open.Should().ContainSingle();
        (open[0].Value.GetProperty("from_port").GetInt32(), open[0].Value.GetProperty("to_port").GetInt32()).Should().Be((443, 443));
        open[0].Value.GetProperty("count").GetString().Should().Contain("length(local.interface_endpoints) < 3");
    }

    [Fact]
    public void Zone_buckets_are_encrypted_versioned_private_TLS_only_logged_and_have_lifecycles()
    {
        var root = Model.Root;
        root.Locals["zones"].EnumerateObject().Select(z => z.Name).Should().BeEquivalentTo(["raw", "curated", "quarantine"]);
        root.Resources["aws_s3_bucket.data"].GetProperty("for_each").GetString().Should().Be("${local.data_buckets}");

        var sse = root.Resources["aws_s3_bucket_server_side_encryption_configuration.data"].GetProperty("rule")[0];
        sse.GetProperty("apply_server_side_encryption_by_default")[0].GetProperty("sse_algorithm").GetString().Should().Be("aws:kms");
        root.Resources["aws_s3_bucket_versioning.data"].GetProperty("versioning_configuration")[0].GetProperty("status").GetString().Should().Be("Enabled");
        var block = root.Resources["aws_s3_bucket_public_access_block.data"];
        foreach (var setting in new[] { "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets" })
        {
            block.GetProperty(setting).GetBoolean().Should().BeTrue(setting);
        }

        root.Resources["aws_s3_bucket_logging.data"].GetProperty("target_bucket").GetString().Should().Be("${aws_s3_bucket.access_logs.id}");
        root.Data["aws_iam_policy_document.tls_only"].GetRawText().Should().Contain("aws:SecureTransport");
        root.Resources["aws_s3_bucket_lifecycle_configuration.data"].GetRawText().Should().Contain("transition_days").And.Contain("expiration_days");
        root.Locals["zones"].GetProperty("quarantine").GetProperty("expiration_days").GetString().Should().Be("${var.quarantine_expiration_days}");
        root.Locals["zones"].GetProperty("raw").GetProperty("transition_days").GetString().Should().Be("${var.raw_transition_days}");
    }

    [Fact]
    public void A_zone_without_lifecycle_actions_gets_no_rule()
    {
        // S3 refuses PutBucketLifecycleConfiguration when a rule has no action; curated has none by default.
        var zones = Model.Root.Locals["zones"];
        zones.GetProperty("curated").EnumerateObject().Select(d => d.Value.ToString()).Should().OnlyContain(v => v == "0");

        var rules = Model.Root.Resources["aws_s3_bucket_lifecycle_configuration.data"].GetProperty("dynamic").GetProperty("rule")
            .EnumerateArray().Select(r => r.GetProperty("for_each").GetString()!)
            .ToList();
        var zoneRule = rules.Single(r => r.Contains("local.zones", StringComparison.Ordinal));
        zoneRule.Should().MatchRegex(@"max\(zone\.transition_days, zone\.archive_days, zone\.expiration_days\) > 0",
            "the rule is emitted only for a zone with at least one transition, archive or expiration");
    }

    [Fact]
    public void Rejects_of_runs_over_their_budget_expire_in_the_quarantine_zone()
    {
        // Runs over their reject budget keep their rejects under _failed_runs/{domain}/{name}/{run id}/, which no table reads.
        var prefix = Ingest.Storage.DatasetLayout.FailedRunsRoot + "/";
        Ingest.Storage.DatasetLayout.FailedRunRejectsPrefix(Ingest.Definitions.DatasetId.Create("sales", "orders"), "r1").Should().StartWith(prefix);

        var rules = Model.Root.Resources["aws_s3_bucket_lifecycle_configuration.data"].GetProperty("dynamic").GetProperty("rule").EnumerateArray()
            .Where(r => r.GetProperty("content")[0].TryGetProperty("filter", out var f) && f[0].TryGetProperty("prefix", out var p) && p.GetString() == prefix)
            .ToList();
        rules.Should().ContainSingle($"one lifecycle rule covers {prefix}");
        var rule = rules[0];
        rule.GetProperty("for_each").GetString().Should().Be("${each.key == \"quarantine\" ? [var.failed_run_rejects_expiration_days] : []}",
            "the rule is for the quarantine bucket only, and always has its expiration");
        var content = rule.GetProperty("content")[0];
        content.GetProperty("status").GetString().Should().Be("Enabled");
        content.GetProperty("expiration")[0].GetProperty("days").GetString().Should().Be("${rule.value}");

        // S3 refuses a rule without an action: the variable cannot be set to less than a day.
        var variable = Model.Root.Variables["failed_run_rejects_expiration_days"];
        variable.GetProperty("default").GetInt32().Should().Be(30);
        variable.GetProperty("validation")[0].GetProperty("condition").GetString().Should().Be("${var.failed_run_rejects_expiration_days >= 1}");
        File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "aws-architecture.md")).Should().Contain("_failed_runs/").And.Contain("failed_run_rejects_expiration_days");
    }

    [Fact]
    public void The_backend_locks_with_the_S3_lock_file_beside_the_fixed_lock_table()
    {
        var backend = Model.Files["backend.tf"].GetProperty("terraform")[0].GetProperty("backend").GetProperty("s3")[0];
        backend.GetProperty("use_lockfile").GetBoolean().Should().BeTrue();
        backend.GetProperty("dynamodb_table").GetString().Should().Be("tf-state-lock-bootstrap");
        File.ReadAllText(Path.Combine(RepoPaths.Terraform, "backend.tf")).Should().Contain("one seed stack per account and region");
    }

    [Fact]
    public void Terraform_fmt_finds_nothing_to_change()
    {
        var terraform = Environment.GetEnvironmentVariable("PATH")!.Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "terraform")).FirstOrDefault(File.Exists);
        if (terraform is null)
        {
            // Without the binary the canonical layout cannot be computed; .ci/run runs the same check guarded by `command -v terraform`.
            Environment.GetEnvironmentVariable("INGEST_REQUIRE_TERRAFORM").Should().NotBe("1", "INGEST_REQUIRE_TERRAFORM=1 needs terraform on PATH");
            return;
        }

        var info = new System.Diagnostics.ProcessStartInfo(terraform, ["fmt", "-check", "-recursive", "-list=true", RepoPaths.Terraform])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["TF_CLI_CONFIG_FILE"] = "/dev/null";
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        (process.ExitCode, output).Should().Be((0, ""));
    }

    [Fact]
    public void The_metadata_table_is_the_single_table_of_the_registry_and_ledger()
    {
        var table = Model.Root.Resources["aws_dynamodb_table.metadata"];
        table.GetProperty("hash_key").GetString().Should().Be("pk");
        table.GetProperty("range_key").GetString().Should().Be("sk");
        table.GetProperty("billing_mode").GetString().Should().Be("PAY_PER_REQUEST");
        table.GetProperty("attribute").EnumerateArray().Select(a => (a.GetProperty("name").GetString(), a.GetProperty("type").GetString()))
            .Should().Contain([("pk", "S"), ("sk", "S")]);
        table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean().Should().BeTrue();
        table.GetProperty("server_side_encryption")[0].GetProperty("enabled").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public void Athena_enforces_its_result_location_encryption_and_scan_cutoff()
    {
        var configuration = Model.Root.Resources["aws_athena_workgroup.ingest"].GetProperty("configuration")[0];
        configuration.GetProperty("enforce_workgroup_configuration").GetBoolean().Should().BeTrue();
        configuration.GetProperty("bytes_scanned_cutoff_per_query").GetString().Should().Be("${var.athena_bytes_scanned_cutoff}");
        var result = configuration.GetProperty("result_configuration")[0];
        result.GetProperty("output_location").GetString().Should().Contain("aws_s3_bucket.data[\"athena\"]");
        result.GetProperty("encryption_configuration")[0].GetProperty("encryption_option").GetString().Should().Be("SSE_KMS");
    }

    [Fact]
    public void The_state_machine_template_gets_exactly_the_values_it_uses()
    {
        var step = Model.Modules["step_functions"];
        var templateCall = step.Locals["definition"].GetString()!;
        templateCall.Should().Contain("templatefile(\"${path.module}/ingest.asl.json\"");
        var provided = System.Text.RegularExpressions.Regex.Matches(templateCall, @"(\w+)\s*=").Select(m => m.Groups[1].Value).ToHashSet();

        var used = StateMachineDefinition.Placeholders();
        used.Should().NotBeEmpty();
        provided.Should().Contain(used);
        step.Resources["aws_sfn_state_machine.ingest"].GetProperty("definition").GetString().Should().Be("${local.definition}");
        Model.Modules["step_functions"].Resources.Keys.Should().Contain(["aws_scheduler_schedule.ingest", "aws_cloudwatch_event_rule.abandoned_leases"]);
    }

    [Fact]
    public void Cleanup_starts_only_for_aborted_or_timed_out_executions_and_uncatchable_failures()
    {
        var pattern = Model.Modules["step_functions"].Resources["aws_cloudwatch_event_rule.abandoned_leases"].GetProperty("event_pattern").GetString()!;

        // jsonencode({...}) as HCL text: the status alternatives and their filters.
        var compact = System.Text.RegularExpressions.Regex.Replace(pattern, @"\s+", " ");
        compact.Should().Contain("{ status = [\"ABORTED\", \"TIMED_OUT\"] }")
            .And.Contain("{ status = [\"FAILED\"], error = [\"States.Runtime\", \"States.DataLimitExceeded\"] }");
        System.Text.RegularExpressions.Regex.Matches(compact, "\"FAILED\"").Should().HaveCount(1, "an ordinary failed execution (Ingest.RunsFailed) starts no cleanup");
    }

    [Fact]
    public void Alarms_cover_failed_executions_rejected_rows_and_Glue_failures()
    {
        var alarms = Model.Root.Resources.Where(r => r.Key.StartsWith("aws_cloudwatch_metric_alarm.", StringComparison.Ordinal)).ToList();
        var text = string.Join('\n', alarms.Select(a => a.Value.GetRawText()));
        text.Should().Contain("ExecutionsFailed").And.Contain("RowsRejected").And.Contain("glue.driver.aggregate.numFailedTasks");
        alarms.Should().OnlyContain(a => a.Value.GetProperty("alarm_actions").GetRawText().Contains("aws_sns_topic.failures.arn", StringComparison.Ordinal));
        Model.Root.Resources.Should().ContainKey("aws_cloudwatch_dashboard.ingest");
        Model.Root.Resources.Should().ContainKey("aws_secretsmanager_secret.onprem_db");
    }

    private static string Label(TerraformModule module) => module.Path.Length == 0 ? "terraform/" : $"terraform/{module.Path}/";

    private static IEnumerable<JsonElement> Statements(JsonElement document)
        => document.TryGetProperty("statement", out var statements) ? statements.EnumerateArray() : [];

    private static List<string> StringList(JsonElement statement, string name)
        => statement.TryGetProperty(name, out var value) ? [.. TerraformModel.Strings(value)] : [];

    private static string Sid(JsonElement statement)
        => statement.TryGetProperty("sid", out var sid) ? sid.GetString()! : "(no sid)";
}
