locals {
  arn_prefix    = "arn:${var.partition}"
  zone_arns     = [for bucket in values(var.zone_buckets) : "${local.arn_prefix}:s3:::${bucket}"]
  artifacts_arn = "${local.arn_prefix}:s3:::${var.artifacts_bucket}"
  glue_arn      = "${local.arn_prefix}:glue:${var.aws_region}:${var.account_id}"
  role_name     = "${var.prefix}-${var.job_name}"
  security_name = "${var.prefix}-${var.job_name}"
  # Glue 5.0 writes a job's logs to /aws-glue/jobs/error (system, Spark and GlueLogger) and /aws-glue/jobs/output
  # (stdout, stderr), and ignores the Glue 4.0 continuous-logging arguments. With a security configuration that
  # encrypts CloudWatch Logs, the names carry the configuration and the role:
  # /aws-glue/jobs/<security configuration>-role/<role>/error and …/output. Glue would create them without
  # retention; Terraform creates them first, with retention and the lake key.
  log_groups = {
    for stream in ["error", "output"] : stream => "/aws-glue/jobs/${local.security_name}-role/${local.role_name}/${stream}"
  }
  log_group_arns = [for name in values(local.log_groups) : "${local.arn_prefix}:logs:${var.aws_region}:${var.account_id}:log-group:${name}"]
}

data "aws_iam_policy_document" "assume_glue" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "glue" {
  name                 = local.role_name
  assume_role_policy   = data.aws_iam_policy_document.assume_glue.json
  permissions_boundary = var.permissions_boundary_arn
}

data "aws_iam_policy_document" "glue" {
  statement {
    sid       = "ListZones"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = local.zone_arns
  }

  statement {
    sid       = "ReadWriteZones"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [for arn in local.zone_arns : "${arn}/*"]
  }

  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${local.artifacts_arn}/glue/${var.job_name}/*"]
  }

  statement {
    sid       = "TempDir"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.artifacts_arn}/glue/tmp/*"]
  }

  statement {
    sid       = "ListTempDir"
    actions   = ["s3:ListBucket"]
    resources = [local.artifacts_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["glue/tmp/*", "glue/${var.job_name}/*"]
    }
  }

  # What glue_job.py calls: GetItem (definition, fingerprints, runs), Query (recovery lists the dataset's
  # runs), PutItem (run start), UpdateItem (lease renewal, failed run) and TransactWriteItems, which is
  # authorised per item (ConditionCheckItem on the lease, UpdateItem on the run, PutItem on fingerprints).
  statement {
    sid = "MetadataTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:ConditionCheckItem",
    ]
    resources = [var.metadata_table_arn]
  }

  statement {
    sid       = "LakeKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "CatalogOfDeclaredDatabases"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
    ]
    resources = concat(
      ["${local.glue_arn}:catalog"],
      [for db in var.catalog_databases : "${local.glue_arn}:database/${db}"],
      [for db in var.catalog_databases : "${local.glue_arn}:table/${db}/*"],
    )
  }

  statement {
    sid       = "Connections"
    actions   = ["glue:GetConnection"]
    resources = concat(["${local.glue_arn}:catalog"], [for c in var.glue_connections_name : "${local.glue_arn}:connection/${c}"])
  }

  statement {
    sid       = "OnPremCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.onprem_secret_arn]
  }

  # The job's two log groups (created below; CreateLogGroup on them only answers that they exist).
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = concat(local.log_group_arns, [for arn in local.log_group_arns : "${arn}:*"])
  }

  # PutMetricData has no resource-level permissions; the namespaces are pinned instead.
  statement {
    sid       = "Metrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue", var.metric_namespace]
    }
  }

  # The VPC connection: Glue creates elastic network interfaces in the private subnet. The EC2
  # describe calls have no resource-level permissions.
  statement {
    sid = "VpcConnectionDescribe"
    actions = [
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeVpcAttribute",
      "ec2:DescribeNetworkInterfaces",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "VpcConnectionInterfaces"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.aws_region]
    }
  }
}

resource "aws_iam_role_policy" "glue" {
  name   = "ingest"
  role   = aws_iam_role.glue.id
  policy = data.aws_iam_policy_document.glue.json
}

resource "aws_cloudwatch_log_group" "job" {
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_glue_security_configuration" "ingest" {
  name = local.security_name

  encryption_configuration {
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }

    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }
  }
}

resource "aws_glue_job" "ingest" {
  name                   = var.job_name
  description            = "Ingest one dataset run: definition and ledger in ${var.metadata_table_name}, raw -> curated / quarantine."
  role_arn               = aws_iam_role.glue.arn
  glue_version           = "5.0"
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  max_retries            = 0 # Step Functions decides about retries; a blind re-run would take a new lease.
  connections            = var.glue_connections_name
  security_configuration = aws_glue_security_configuration.ingest.name
  execution_class        = "STANDARD"

  command {
    name            = "glueetl"
    script_location = var.script_location
    python_version  = "3"
  }

  execution_property {
    max_concurrent_runs = var.max_concurrent_runs
  }

  # The log groups exist (with retention and the key) before the first run could create them.
  depends_on = [aws_cloudwatch_log_group.job]

  default_arguments = {
    "--job-language"                 = "python"
    "--job-bookmark-option"          = "job-bookmark-disable"
    "--enable-metrics"               = "true"
    "--enable-observability-metrics" = "true"
    "--enable-job-insights"          = "true"
    "--enable-glue-datacatalog"      = "true"
    "--TempDir"                      = "s3://${var.artifacts_bucket}/glue/tmp/"
    "--extra-py-files"               = join(",", var.extra_py_files)
    "--metadata_table"               = var.metadata_table_name
    "--raw_bucket"                   = var.zone_buckets["raw"]
    "--curated_bucket"               = var.zone_buckets["curated"]
    "--quarantine_bucket"            = var.zone_buckets["quarantine"]
    "--metric_namespace"             = var.metric_namespace
    "--metrics_log_group"            = local.log_groups["output"] # EMF records (ingest_core/metrics.py), PutLogEvents already allowed
    "--onprem_secret_arn"            = var.onprem_secret_arn
    "--lease_seconds"                = "600"
    # Iceberg datasets (ingest_core/iceberg_write.py): Glue 5.0's Iceberg libraries and the Spark catalog glue_catalog
    # over the Glue Data Catalog with S3FileIO, the same table the in-process engine commits to. Glue takes one --conf;
    # the others ride in its value (iceberg_write.conf_argument, checked by tests/test_iceberg_write.py).
    "--datalake-formats" = "iceberg"
    "--conf"             = "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions --conf spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog --conf spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog --conf spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO --conf spark.sql.catalog.glue_catalog.warehouse=s3://${var.zone_buckets["curated"]}/"
  }
}
