# The two moving parts: the Glue ingest job (one job, run once per dataset and run) and the state
# machine that orchestrates it (lease, settings from DynamoDB, Glue run, ledger, failure topic).
# The lake, the metadata table, the catalog, Athena, secrets and monitoring live in the other files
# of this folder.

module "step_1_parallelism" {
  source = "./step_functions"

  name                = local.state_machine_name
  aws_region          = var.aws_region
  account_id          = local.account_id
  partition           = local.partition
  metadata_table_name = aws_dynamodb_table.metadata.name
  metadata_table_arn  = aws_dynamodb_table.metadata.arn
  glue_job_name       = module.glue_ingest_default_job.job_name
  glue_job_arn        = module.glue_ingest_default_job.job_arn
  catalog_databases   = [for db in aws_glue_catalog_database.domain : db.name]
  failure_topic_arn   = aws_sns_topic.failures.arn
  kms_key_arn         = aws_kms_key.lake.arn
  max_concurrency     = var.max_concurrency
  schedule_expression = var.schedule_expression
  schedule_timezone   = var.schedule_timezone
  scheduled_datasets  = var.scheduled_datasets
  log_retention_days  = var.log_retention_days

  permissions_boundary_arn = var.permissions_boundary_arn
}

module "glue_ingest_default_job" {
  source = "./glue_ingest_job"

  config = {
    glue_connections_list = [aws_glue_connection.onprem.name]
  }

  prefix              = local.prefix
  aws_region          = var.aws_region
  account_id          = local.account_id
  partition           = local.partition
  artifacts_bucket    = aws_s3_bucket.data["artifacts"].bucket
  zone_buckets        = { for zone, _ in local.zones : zone => aws_s3_bucket.data[zone].bucket }
  metadata_table_name = aws_dynamodb_table.metadata.name
  metadata_table_arn  = aws_dynamodb_table.metadata.arn
  kms_key_arn         = aws_kms_key.lake.arn
  catalog_databases   = [for db in aws_glue_catalog_database.domain : db.name]
  onprem_secret_arn   = aws_secretsmanager_secret.onprem_db.arn
  worker_type         = var.glue_worker_type
  number_of_workers   = var.glue_number_of_workers
  timeout_minutes     = var.glue_timeout_minutes
  max_concurrent_runs = var.glue_max_concurrent_runs
  metric_namespace    = local.metric_namespace
  log_retention_days  = var.log_retention_days

  permissions_boundary_arn = var.permissions_boundary_arn
}
