# Everything the SDK needs to target this deployment. `terraform output -json` prints
# { "<name>": { "value": ..., "type": ..., "sensitive": false } } for each; `ingest_settings` holds all
# of them in one object for `--target aws`.

output "aws_region" {
  description = "Region of the deployment."
  value       = var.aws_region
}

output "buckets" {
  description = "Bucket name per lake zone (raw, curated, quarantine)."
  value       = { for zone, _ in local.zones : zone => aws_s3_bucket.data[zone].bucket }
}

output "athena_results_bucket" {
  description = "Bucket of Athena query results."
  value       = aws_s3_bucket.data["athena"].bucket
}

output "metadata_table_name" {
  description = "DynamoDB table of the registry, ledger, leases and fingerprints."
  value       = aws_dynamodb_table.metadata.name
}

output "kms_key_arn" {
  description = "KMS key that encrypts the lake, the table, the topic and the secrets."
  value       = aws_kms_key.lake.arn
}

output "athena_workgroup" {
  description = "Athena workgroup for queries over the curated zone."
  value       = aws_athena_workgroup.ingest.name
}

output "glue_databases" {
  description = "Glue databases (one per domain) that definitions may name."
  value       = [for db in aws_glue_catalog_database.domain : db.name]
}

output "glue_job_name" {
  description = "Glue ingest job."
  value       = module.glue_ingest_default_job.job_name
}

output "glue_connection_name" {
  description = "Glue NETWORK connection in the private subnet."
  value       = aws_glue_connection.onprem.name
}

output "state_machine_arn" {
  description = "Step Functions state machine that runs Glue ingests."
  value       = module.step_1_parallelism.state_machine_arn
}

output "failure_topic_arn" {
  description = "SNS topic of failed runs and alarms."
  value       = aws_sns_topic.failures.arn
}

output "onprem_secret_arn" {
  description = "Secrets Manager secret of the on-premise database credentials."
  value       = aws_secretsmanager_secret.onprem_db.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the ingest."
  value       = one(aws_cloudwatch_dashboard.ingest[*].dashboard_name)
}

output "ingest_settings" {
  description = "All of the above in the shape the SDK's --target aws reads."
  value = {
    region          = var.aws_region
    buckets         = { for zone, _ in local.zones : zone => aws_s3_bucket.data[zone].bucket }
    metadataTable   = aws_dynamodb_table.metadata.name
    kmsKeyArn       = aws_kms_key.lake.arn
    athenaWorkgroup = aws_athena_workgroup.ingest.name
    athenaResults   = "s3://${aws_s3_bucket.data["athena"].bucket}/results/"
    glueDatabases   = [for db in aws_glue_catalog_database.domain : db.name]
    glueJobName     = module.glue_ingest_default_job.job_name
    stateMachineArn = module.step_1_parallelism.state_machine_arn
    failureTopicArn = aws_sns_topic.failures.arn
    parameterName   = aws_ssm_parameter.outputs.name
  }
}

# The outputs AwsIngestOptions.FromTerraformOutputs reads (src/Ingest.Aws/README.md): `terraform output -json`
# saved to a file is what `ingest --target aws --terraform-outputs <file>` and the sample take.
# A deployment test keeps these names in step with AwsIngestOptions.TerraformOutputNames.

output "ingest_region" {
  description = "SDK contract: region of the deployment."
  value       = var.aws_region
}

output "ingest_raw_bucket" {
  description = "SDK contract: bucket of the raw zone."
  value       = aws_s3_bucket.data["raw"].bucket
}

output "ingest_curated_bucket" {
  description = "SDK contract: bucket of the curated zone."
  value       = aws_s3_bucket.data["curated"].bucket
}

output "ingest_quarantine_bucket" {
  description = "SDK contract: bucket of the quarantine zone."
  value       = aws_s3_bucket.data["quarantine"].bucket
}

output "ingest_table_name" {
  description = "SDK contract: DynamoDB table of the registry and the run ledger."
  value       = aws_dynamodb_table.metadata.name
}

output "ingest_kms_key_arn" {
  description = "SDK contract: KMS key for SSE-KMS on the lake."
  value       = aws_kms_key.lake.arn
}

output "ingest_account_id" {
  description = "SDK contract: the account that must own the buckets (ExpectedBucketOwner)."
  value       = local.account_id
}
