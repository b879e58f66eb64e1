# The Glue ingest job: glue_job.py (the PySpark entry point) and dependencies.zip (the ingest_core
# package: definition reading, casts, rules, layout and ledger items, shared with the unit tests)
# are uploaded as artifacts; the job runs once per dataset and run, started by the state machine.

locals {
  job_name         = "ingest-glue-job"
  script_key       = "glue/${local.job_name}/glue_job.py"
  dependencies_key = "glue/${local.job_name}/dependencies.zip"
  core_files       = fileset("${path.module}/ingest_core", "**/*.py")
}

data "archive_file" "dependencies" {
  type        = "zip"
  output_path = "${path.module}/build/dependencies.zip"

  dynamic "source" {
    for_each = local.core_files
    content {
      content  = file("${path.module}/ingest_core/${source.value}")
      filename = "ingest_core/${source.value}"
    }
  }
}

module "glue_job_default_artifact_py" {
  source = "./modules/s3_artifact"

  bucket      = var.artifacts_bucket
  key         = local.script_key
  source_path = "${path.module}/glue_job.py"
  source_hash = filemd5("${path.module}/glue_job.py")
  kms_key_arn = var.kms_key_arn
}

module "glue_job_default_artifact_dependencies" {
  source = "./modules/s3_artifact"

  bucket      = var.artifacts_bucket
  key         = local.dependencies_key
  source_path = data.archive_file.dependencies.output_path
  source_hash = data.archive_file.dependencies.output_md5
  kms_key_arn = var.kms_key_arn
}

module "glue_ingest" {
  source = "./modules/glue_job"

  job_name              = local.job_name
  glue_connections_name = var.config["glue_connections_list"]

  prefix              = var.prefix
  aws_region          = var.aws_region
  account_id          = var.account_id
  partition           = var.partition
  script_location     = module.glue_job_default_artifact_py.s3_uri
  extra_py_files      = [module.glue_job_default_artifact_dependencies.s3_uri]
  artifacts_bucket    = var.artifacts_bucket
  zone_buckets        = var.zone_buckets
  metadata_table_name = var.metadata_table_name
  metadata_table_arn  = var.metadata_table_arn
  kms_key_arn         = var.kms_key_arn
  catalog_databases   = var.catalog_databases
  onprem_secret_arn   = var.onprem_secret_arn
  worker_type         = var.worker_type
  number_of_workers   = var.number_of_workers
  timeout_minutes     = var.timeout_minutes
  max_concurrent_runs = var.max_concurrent_runs
  metric_namespace    = var.metric_namespace
  log_retention_days  = var.log_retention_days

  permissions_boundary_arn = var.permissions_boundary_arn
}
