namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>
/// The names terraform/ gives its resources with the default variables, in the sample account and region of
/// <see cref="IamPolicyEvaluator"/>, and the request context every call carries (the provider's default_tags).
/// </summary>
internal sealed record DeployNames(string ProjectName, string Environment, IReadOnlyList<string> CatalogDatabases, string? PermissionsBoundary)
{
    public string Prefix => $"{ProjectName}-{Environment}";

    public string Account => IamPolicyEvaluator.AccountId;

    public string Region => IamPolicyEvaluator.Region;

    public string Arn(string service, string resource, bool regional = true, bool account = true)
        => $"arn:{IamPolicyEvaluator.Partition}:{service}:{(regional ? Region : string.Empty)}:{(account ? Account : string.Empty)}:{resource}";

    public string Bucket(string name) => $"arn:aws:s3:::{Prefix}-{name}-{Account}";

    public IReadOnlyList<string> Buckets => [.. new[] { "raw", "curated", "quarantine", "athena-results", "artifacts", "access-logs" }.Select(Bucket)];

    public string KeyArn => Arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");

    public string Role(string name) => Arn("iam", $"role/{Prefix}-{name}", regional: false);

    public string VpcArn => Arn("ec2", "vpc/" + IamPolicyEvaluator.VpcId);

    /// <summary>Condition keys of a request: the project's tags (default_tags of provider.tf) and the VPC for EC2 calls.</summary>
    public IReadOnlyDictionary<string, string> Context(string action, IReadOnlyDictionary<string, string>? extra)
    {
        var context = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:RequestTag/Project"] = ProjectName,
            ["aws:RequestTag/Environment"] = Environment,
            ["aws:ResourceTag/Project"] = ProjectName,
            ["aws:ResourceTag/Environment"] = Environment,
        };
        if (action.StartsWith("ec2:", StringComparison.Ordinal))
        {
            context["ec2:Vpc"] = VpcArn;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            context[key] = value;
        }

        return context;
    }
}

/// <summary>
/// For every resource and data source type terraform/ uses, the IAM actions the AWS provider (hashicorp/aws 6.x) calls
/// to create, read (refresh), update and delete it, each on the resource it is authorised against. This table is
/// maintained HERE, by hand: it is derived from the provider's behaviour (its create / read / update / delete functions
/// and the service's authorisation reference), not generated from the provider, so a new argument that makes the
/// provider call something new needs a line here. A type of terraform/ without an entry fails the check, so a new
/// resource type cannot slip through unlisted.
/// </summary>
internal static class ProviderCalls
{
    public static IReadOnlyDictionary<string, Func<DeployNames, IEnumerable<IamCall>>> ByType { get; } =
        new Dictionary<string, Func<DeployNames, IEnumerable<IamCall>>>(StringComparer.Ordinal)
        {
            // --- S3: CreateBucket + tags; the read refreshes every bucket sub-configuration; delete without force_destroy.
            ["aws_s3_bucket"] = n => n.Buckets.SelectMany(b => On(n, b,
                "s3:CreateBucket", "s3:ListBucket", "s3:GetBucketLocation", "s3:PutBucketTagging", "s3:GetBucketTagging",
                "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning",
                "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
                "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:DeleteBucket")),
            // Delete of these sub-resources is authorised as the Put action (DeleteBucketOwnershipControls → PutBucketOwnershipControls, …).
            ["aws_s3_bucket_ownership_controls"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls")),
            ["aws_s3_bucket_public_access_block"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock")),
            ["aws_s3_bucket_versioning"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutBucketVersioning", "s3:GetBucketVersioning")),
            ["aws_s3_bucket_server_side_encryption_configuration"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration")),
            ["aws_s3_bucket_logging"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutBucketLogging", "s3:GetBucketLogging")),
            ["aws_s3_bucket_policy"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy")),
            ["aws_s3_bucket_lifecycle_configuration"] = n => n.Buckets.SelectMany(b => On(n, b, "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration")),
            // The job script and dependencies: PutObject (SSE-KMS: GenerateDataKey on the lake key), HeadObject, tags;
            // delete in a versioned bucket lists and deletes the object's versions.
            ["aws_s3_object"] = n => On(n, n.Bucket("artifacts") + "/glue/ingest-glue-job/glue_job.py",
                    "s3:PutObject", "s3:GetObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion")
                .Concat(On(n, n.Bucket("artifacts"), "s3:ListBucketVersions"))
                .Concat(On(n, n.KeyArn, "kms:GenerateDataKey", "kms:Decrypt")),

            // --- DynamoDB (PITR through the continuous-backups calls; SSE with a customer key needs a grant for DynamoDB).
            ["aws_dynamodb_table"] = n => On(n, n.Arn("dynamodb", $"table/{n.Prefix}-ingest-metadata"),
                    "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable",
                    "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTimeToLive",
                    "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource")
                .Concat(On(n, n.KeyArn, "kms:DescribeKey"))
                .Append(new IamCall("kms:CreateGrant", n.KeyArn, n.Context("kms:CreateGrant", new Dictionary<string, string> { ["kms:GrantIsForAWSResource"] = "true" }))),

            // --- KMS: CreateKey carries the tags; the read refreshes policy, rotation and tags (ListResourceTags).
            // CreateKey with tags also needs kms:TagResource, authorised on no particular key.
            ["aws_kms_key"] = n => new[] { "kms:CreateKey", "kms:TagResource" }.Select(a => new IamCall(a, "*", NewKey(n))).Concat(On(n, n.KeyArn,
                "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
                "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion")),
            // An alias call is authorised on the alias and on the key.
            ["aws_kms_alias"] = n => new[] { n.Arn("kms", $"alias/{n.Prefix}-ingest"), n.KeyArn }
                .SelectMany(r => On(n, r, "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"))
                .Concat(On(n, "*", "kms:ListAliases")),

            // --- Glue. DeleteDatabase is authorised on the catalog, the database, its tables and its functions.
            ["aws_glue_catalog_database"] = n => n.CatalogDatabases.SelectMany(db =>
                new[] { n.Arn("glue", "catalog"), n.Arn("glue", $"database/{db}") }
                    .SelectMany(r => On(n, r, "glue:CreateDatabase", "glue:GetDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase"))
                    .Concat(On(n, n.Arn("glue", $"database/{db}"), "glue:TagResource", "glue:GetTags", "glue:UntagResource"))
                    .Concat(On(n, n.Arn("glue", $"table/{db}/*"), "glue:DeleteDatabase"))
                    .Concat(On(n, n.Arn("glue", $"userDefinedFunction/{db}/*"), "glue:DeleteDatabase"))),
            ["aws_glue_connection"] = n => new[] { n.Arn("glue", "catalog"), n.Arn("glue", $"connection/{n.Prefix}-onprem-network") }
                .SelectMany(r => On(n, r, "glue:CreateConnection", "glue:GetConnection", "glue:UpdateConnection", "glue:DeleteConnection"))
                .Concat(On(n, n.Arn("glue", $"connection/{n.Prefix}-onprem-network"), "glue:TagResource", "glue:GetTags", "glue:UntagResource")),
            ["aws_glue_job"] = n => On(n, n.Arn("glue", "job/ingest-glue-job"),
                    "glue:CreateJob", "glue:GetJob", "glue:UpdateJob", "glue:DeleteJob", "glue:TagResource", "glue:GetTags", "glue:UntagResource")
                .Append(PassRole(n, "ingest-glue-job", "glue.amazonaws.com")),
            // Security configurations have no resource-level permissions.
            ["aws_glue_security_configuration"] = n => On(n, "*", "glue:CreateSecurityConfiguration", "glue:GetSecurityConfiguration", "glue:DeleteSecurityConfiguration"),

            // --- IAM: every role with the boundary; the delete path lists instance profiles first.
            ["aws_iam_role"] = n => new[] { "ingest-glue-job", "ingest-states", "ingest-scheduler", "ingest-events" }.SelectMany(role =>
                On(n, n.Role(role), "iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
                        "iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole")
                    .Concat(WithBoundary(n, n.Role(role), "iam:CreateRole", "iam:PutRolePermissionsBoundary"))),
            ["aws_iam_role_policy"] = n => new[] { "ingest-glue-job", "ingest-states", "ingest-scheduler", "ingest-events" }.SelectMany(role =>
                On(n, n.Role(role), "iam:GetRolePolicy").Concat(WithBoundary(n, n.Role(role), "iam:PutRolePolicy", "iam:DeleteRolePolicy"))),

            // --- Orchestration. CreateStateMachine with logging needs the log-delivery calls from the caller too.
            ["aws_sfn_state_machine"] = n => On(n, n.Arn("states", $"stateMachine:{n.Prefix}-ingest"),
                    "states:CreateStateMachine", "states:DescribeStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine",
                    "states:ListStateMachineVersions", "states:ListTagsForResource", "states:TagResource", "states:UntagResource")
                .Concat(On(n, "*", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"))
                .Append(PassRole(n, "ingest-states", "states.amazonaws.com")),
            ["aws_scheduler_schedule"] = n => On(n, n.Arn("scheduler", $"schedule/default/{n.Prefix}-ingest-nightly"),
                    "scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule")
                .Append(PassRole(n, "ingest-scheduler", "scheduler.amazonaws.com")),
            ["aws_cloudwatch_event_rule"] = n => On(n, n.Arn("events", $"rule/{n.Prefix}-ingest-abandoned-leases"),
                "events:PutRule", "events:DescribeRule", "events:DeleteRule", "events:EnableRule", "events:DisableRule",
                "events:ListTagsForResource", "events:TagResource", "events:UntagResource"),
            ["aws_cloudwatch_event_target"] = n => On(n, n.Arn("events", $"rule/{n.Prefix}-ingest-abandoned-leases"),
                    "events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets")
                .Append(PassRole(n, "ingest-events", "events.amazonaws.com")),

            // --- SNS (subscription calls are authorised on the topic).
            ["aws_sns_topic"] = n => On(n, n.Arn("sns", $"{n.Prefix}-ingest-failures"),
                "sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:DeleteTopic",
                "sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource"),
            ["aws_sns_topic_policy"] = n => On(n, n.Arn("sns", $"{n.Prefix}-ingest-failures"), "sns:SetTopicAttributes", "sns:GetTopicAttributes"),
            ["aws_sns_topic_subscription"] = n => On(n, n.Arn("sns", $"{n.Prefix}-ingest-failures"),
                "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"),

            // --- CloudWatch and CloudWatch Logs.
            ["aws_cloudwatch_metric_alarm"] = n => new[] { "failed-executions", "timed_out-executions", "glue-failures", "glue-runs-failed", "reject-ratio" }
                .SelectMany(a => On(n, n.Arn("cloudwatch", $"alarm:{n.Prefix}-ingest-{a}"),
                    "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
                    "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource")),
            ["aws_cloudwatch_dashboard"] = n => On(n, n.Arn("cloudwatch", $"dashboard/{n.Prefix}-ingest", regional: false),
                "cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"),
            ["aws_cloudwatch_log_group"] = n => new[]
                {
                    $"/aws/vendedlogs/states/{n.Prefix}-ingest",
                    $"/aws-glue/jobs/{n.Prefix}-ingest-glue-job-role/{n.Prefix}-ingest-glue-job/error",
                    $"/aws-glue/jobs/{n.Prefix}-ingest-glue-job-role/{n.Prefix}-ingest-glue-job/output",
                }
                .SelectMany(g => On(n, n.Arn("logs", "log-group:" + g),
                    "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
                    "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource", "logs:DeleteLogGroup"))
                .Concat(On(n, "*", "logs:DescribeLogGroups")),

            // --- Athena, Secrets Manager, SSM.
            ["aws_athena_workgroup"] = n => On(n, n.Arn("athena", $"workgroup/{n.Prefix}-ingest"),
                "athena:CreateWorkGroup", "athena:GetWorkGroup", "athena:UpdateWorkGroup", "athena:DeleteWorkGroup",
                "athena:TagResource", "athena:UntagResource", "athena:ListTagsForResource"),
            ["aws_secretsmanager_secret"] = n => On(n, n.Arn("secretsmanager", $"secret:{n.Prefix}/ingest/onprem-db-AbCdEf"),
                "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:UpdateSecret",
                "secretsmanager:DeleteSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource"),
            ["aws_ssm_parameter"] = n => On(n, n.Arn("ssm", $"parameter/{n.ProjectName}/{n.Environment}/ingest/outputs"),
                    "ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource")
                .Concat(On(n, "*", "ssm:DescribeParameters")),

            // --- EC2 in the given VPC. The provider revokes a new group's default egress rule; tags go with the create call.
            ["aws_security_group"] = n => On(n, n.VpcArn, "ec2:CreateSecurityGroup")
                .Concat(On(n, n.Arn("ec2", "security-group/sg-0123456789abcdef0"), "ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:DeleteSecurityGroup", "ec2:DeleteTags"))
                .Append(CreateTags(n, "security-group/sg-0123456789abcdef0", "CreateSecurityGroup"))
                .Concat(On(n, "*", "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces")),
            ["aws_vpc_security_group_ingress_rule"] = n => On(n, n.Arn("ec2", "security-group/sg-0123456789abcdef0"),
                    "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsIngress")
                .Append(CreateTags(n, "security-group-rule/sgr-0123456789abcdef0", "AuthorizeSecurityGroupIngress"))
                .Concat(On(n, "*", "ec2:DescribeSecurityGroupRules")),
            ["aws_vpc_security_group_egress_rule"] = n => On(n, n.Arn("ec2", "security-group/sg-0123456789abcdef0"),
                    "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptionsEgress")
                .Append(CreateTags(n, "security-group-rule/sgr-0123456789abcdef0", "AuthorizeSecurityGroupEgress"))
                .Concat(On(n, "*", "ec2:DescribeSecurityGroupRules")),
            // CreateVpcEndpoint is authorised on the VPC, the endpoint, and each subnet, group and route table it names.
            ["aws_vpc_endpoint"] = n => new[] { n.VpcArn, n.Arn("ec2", "vpc-endpoint/vpce-0123456789abcdef0"), n.Arn("ec2", "subnet/subnet-0aaaaaaaaaaaaaaaa"), n.Arn("ec2", "security-group/sg-0123456789abcdef0"), n.Arn("ec2", "route-table/rtb-0123456789abcdef0") }
                .SelectMany(r => On(n, r, "ec2:CreateVpcEndpoint"))
                .Concat(new[] { n.Arn("ec2", "vpc-endpoint/vpce-0123456789abcdef0"), n.Arn("ec2", "subnet/subnet-0aaaaaaaaaaaaaaaa"), n.Arn("ec2", "route-table/rtb-0123456789abcdef0") }
                    .SelectMany(r => On(n, r, "ec2:ModifyVpcEndpoint")))
                .Concat(On(n, n.Arn("ec2", "vpc-endpoint/vpce-0123456789abcdef0"), "ec2:DeleteVpcEndpoints", "ec2:DeleteTags"))
                .Append(CreateTags(n, "vpc-endpoint/vpce-0123456789abcdef0", "CreateVpcEndpoint"))
                .Concat(On(n, "*", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcEndpointServices", "ec2:DescribePrefixLists", "ec2:DescribeRouteTables")),

            // --- Data sources (reads only; EC2 describes have no resource-level permissions).
            ["data.aws_vpc"] = n => On(n, "*", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"),
            ["data.aws_subnets"] = n => On(n, "*", "ec2:DescribeSubnets"),
            ["data.aws_subnet"] = n => On(n, "*", "ec2:DescribeSubnets"),
            ["data.aws_route_tables"] = n => On(n, "*", "ec2:DescribeRouteTables"),
            ["data.aws_route_table"] = n => On(n, "*", "ec2:DescribeRouteTables"),
            ["data.aws_prefix_list"] = n => On(n, "*", "ec2:DescribePrefixLists"),
            ["data.aws_caller_identity"] = n => On(n, "*", "sts:GetCallerIdentity"),
            ["data.aws_partition"] = _ => [],
            ["data.aws_iam_policy_document"] = _ => [],
            ["data.archive_file"] = _ => [],
        };

    /// <summary>
    /// Calls the deploy role must NOT be allowed: each would let it act outside the project or escape the boundary.
    /// </summary>
    public static IEnumerable<(IamCall Call, string Why)> Forbidden(DeployNames n) =>
    [
        (new IamCall("iam:CreateRole", n.Role("ingest-extra"), n.Context("iam:CreateRole", null)), "a role without the permissions boundary"),
        (new IamCall("iam:CreateRole", n.Role("ingest-extra"), n.Context("iam:CreateRole", new Dictionary<string, string> { ["iam:PermissionsBoundary"] = "arn:aws:iam::aws:policy/AdministratorAccess" })), "a role with another boundary"),
        (new IamCall("iam:PutRolePolicy", n.Role("ingest-states"), n.Context("iam:PutRolePolicy", null)), "an inline policy on a role without the boundary"),
        (new IamCall("iam:AttachRolePolicy", n.Role("ingest-states"), n.Context("iam:AttachRolePolicy", null)), "a managed policy on a role without the boundary"),
        (new IamCall("iam:DeleteRolePermissionsBoundary", n.Role("ingest-states"), n.Context("iam:DeleteRolePermissionsBoundary", null)), "removing the boundary"),
        (new IamCall("iam:PutRolePolicy", n.Role("terraform-build"), n.Context("iam:PutRolePolicy", null)), "the build role widening itself"),
        (new IamCall("iam:UpdateAssumeRolePolicy", n.Role("terraform-build"), n.Context("iam:UpdateAssumeRolePolicy", null)), "the build role opening its trust policy"),
        (new IamCall("iam:PassRole", n.Role("ingest-glue-job"), n.Context("iam:PassRole", new Dictionary<string, string> { ["iam:PassedToService"] = "ec2.amazonaws.com" })), "passing the Glue role to another service"),
        (new IamCall("iam:PassRole", n.Role("ingest-states"), n.Context("iam:PassRole", new Dictionary<string, string> { ["iam:PassedToService"] = "glue.amazonaws.com" })), "passing the state machine's role to Glue"),
        (new IamCall("kms:ScheduleKeyDeletion", n.KeyArn, OtherProject(n)), "deleting a key of another project"),
        (new IamCall("kms:PutKeyPolicy", n.KeyArn, OtherProject(n)), "changing the policy of a key of another project"),
        (new IamCall("kms:CreateGrant", n.KeyArn, OtherProject(n)), "a grant on a key of another project"),
        (new IamCall("kms:CreateKey", "*", OtherProject(n)), "an untagged or foreign-tagged key"),
        (new IamCall("kms:TagResource", n.KeyArn, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:ResourceTag/Project"] = "payroll",
            ["aws:RequestTag/Project"] = n.ProjectName,
            ["aws:RequestTag/Environment"] = n.Environment,
        }), "re-tagging another project's key into this one"),
        (new IamCall("s3:DeleteBucket", $"arn:aws:s3:::{n.Prefix}-tfstate-{n.Account}", n.Context("s3:DeleteBucket", null)), "deleting the Terraform state bucket"),
        (new IamCall("s3:PutBucketPolicy", $"arn:aws:s3:::{n.Prefix}-tfstate-{n.Account}", n.Context("s3:PutBucketPolicy", null)), "rewriting the state bucket's policy"),
        (new IamCall("dynamodb:DeleteTable", n.Arn("dynamodb", "table/tf-state-lock-bootstrap"), n.Context("dynamodb:DeleteTable", null)), "deleting the lock table"),
        (new IamCall("dynamodb:Scan", n.Arn("dynamodb", $"table/{n.Prefix}-ingest-metadata"), n.Context("dynamodb:Scan", null)), "reading the registry's data"),
        (new IamCall("glue:DeleteTable", n.Arn("glue", "table/sales/orders"), n.Context("glue:DeleteTable", null)), "dropping a lake table"),
        (new IamCall("secretsmanager:GetSecretValue", n.Arn("secretsmanager", $"secret:{n.Prefix}/ingest/onprem-db-AbCdEf"), n.Context("secretsmanager:GetSecretValue", null)), "reading the on-premise credentials"),
        (new IamCall("ec2:DeleteSecurityGroup", n.Arn("ec2", "security-group/sg-0fedcba9876543210"), new Dictionary<string, string> { ["ec2:Vpc"] = n.Arn("ec2", "vpc/vpc-0ther") }), "a security group of another VPC"),
        (new IamCall("ec2:DeleteVpcEndpoints", n.Arn("ec2", "vpc-endpoint/vpce-0fedcba9876543210"), OtherProject(n)), "an endpoint the project did not create"),
    ];

    /// <summary>A key being created: the requested tags, no resource tags yet.</summary>
    private static IReadOnlyDictionary<string, string> NewKey(DeployNames n)
        => new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:RequestTag/Project"] = n.ProjectName,
            ["aws:RequestTag/Environment"] = n.Environment,
        };

    private static IReadOnlyDictionary<string, string> OtherProject(DeployNames n)
        => new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:ResourceTag/Project"] = "payroll",
            ["aws:ResourceTag/Environment"] = n.Environment,
            ["aws:RequestTag/Project"] = "payroll",
            ["aws:RequestTag/Environment"] = n.Environment,
            ["kms:GrantIsForAWSResource"] = "true",
        };

    private static IEnumerable<IamCall> On(DeployNames n, string resource, params string[] actions)
        => actions.Select(a => new IamCall(a, resource, n.Context(a, null)));

    private static IEnumerable<IamCall> WithBoundary(DeployNames n, string role, params string[] actions)
        => actions.Select(a => new IamCall(a, role, n.Context(a, n.PermissionsBoundary is null ? null : new Dictionary<string, string> { ["iam:PermissionsBoundary"] = n.PermissionsBoundary })));

    private static IamCall PassRole(DeployNames n, string role, string service)
        => new("iam:PassRole", n.Role(role), n.Context("iam:PassRole", new Dictionary<string, string> { ["iam:PassedToService"] = service }));

    private static IamCall CreateTags(DeployNames n, string resource, string createAction)
        => new("ec2:CreateTags", n.Arn("ec2", resource), n.Context("ec2:CreateTags", new Dictionary<string, string> { ["ec2:CreateAction"] = createAction }));
}
