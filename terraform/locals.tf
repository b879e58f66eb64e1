locals {
  prefix     = "${var.project_name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # The lake zones of src/Ingest/Storage/LakeZone.cs, each a bucket.
  zones = {
    raw = {
      transition_days = var.raw_transition_days
      archive_days    = var.raw_archive_days
      expiration_days = var.raw_expiration_days
    }
    curated = {
      transition_days = 0
      archive_days    = 0
      expiration_days = 0
    }
    quarantine = {
      transition_days = 0
      archive_days    = 0
      expiration_days = var.quarantine_expiration_days
    }
  }

  # Buckets with SSE-KMS, versioning and the TLS-only policy: the zones plus Athena results and job artifacts.
  data_buckets = merge(
    { for zone, _ in local.zones : zone => "${local.prefix}-${zone}-${local.account_id}" },
    {
      athena    = "${local.prefix}-athena-results-${local.account_id}"
      artifacts = "${local.prefix}-artifacts-${local.account_id}"
    },
  )

  glue_job_name      = "ingest-glue-job"
  state_machine_name = "${local.prefix}-ingest"
  metric_namespace   = "Ingest"
}
