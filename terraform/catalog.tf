# One Glue database per domain; tables and partitions are created by the SDK / the Glue job from the
# registered definitions (never by a crawler).
resource "aws_glue_catalog_database" "domain" {
  for_each = toset(var.catalog_databases)

  name        = each.key
  description = "Ingest domain ${each.key}: tables defined by dataset definitions in ${aws_dynamodb_table.metadata.name}."
}

resource "aws_athena_workgroup" "ingest" {
  name          = "${local.prefix}-ingest"
  description   = "Queries over the curated zone: results encrypted in the results bucket, scan size capped."
  force_destroy = false

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = "s3://${aws_s3_bucket.data["athena"].bucket}/results/"
      expected_bucket_owner = local.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.lake.arn
      }
    }
  }
}
