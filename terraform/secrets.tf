# Credentials of the on-premise databases the Glue job reads over JDBC. Terraform creates the secret
# only; an operator puts the value (JSON: {"username": ..., "password": ..., "jdbcUrl": ...}) with
# the console or CLI, so it never appears in the Terraform state.
resource "aws_secretsmanager_secret" "onprem_db" {
  name                    = "${local.prefix}/ingest/onprem-db"
  description             = "On-premise database credentials for the Glue ingest job."
  kms_key_id              = aws_kms_key.lake.arn
  recovery_window_in_days = 7
}

# Non-secret settings other tools read (the SDK's --target aws, the sample).
resource "aws_ssm_parameter" "outputs" {
  name        = "/${var.project_name}/${var.environment}/ingest/outputs"
  description = "Terraform outputs of the ingest stack, as the SDK reads them."
  type        = "String"
  tier        = "Standard" # the value is far under Standard's 4 KB
  value = jsonencode({
    region            = var.aws_region
    buckets           = { for zone, _ in local.zones : zone => aws_s3_bucket.data[zone].bucket }
    metadata_table    = aws_dynamodb_table.metadata.name
    athena_workgroup  = aws_athena_workgroup.ingest.name
    glue_databases    = [for db in aws_glue_catalog_database.domain : db.name]
    glue_job_name     = module.glue_ingest_default_job.job_name
    state_machine_arn = module.step_1_parallelism.state_machine_arn
    failure_topic_arn = aws_sns_topic.failures.arn
    kms_key_arn       = aws_kms_key.lake.arn
  })
}
