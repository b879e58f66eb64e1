# The metadata table: schema registry, run ledger, leases, input fingerprints and watermarks in one
# table (docs/adr/0003-single-table-registry.md). Items: pk = DATASET#<domain.name>, sk = DEF#<version:D6> |
# DEF#LATEST | RUN#<run id> | LEASE | SOURCE#<sha256> | WATERMARK#<source>; attribute body = the JSON
# document the SQLite backend stores for the same key.
resource "aws_dynamodb_table" "metadata" {
  name                        = "${local.prefix}-ingest-metadata"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.environment == "prod"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  # Lists every dataset's DEF#LATEST (the registry's "list datasets") without a scan.
  global_secondary_index {
    name            = "by-sk"
    hash_key        = "sk"
    range_key       = "pk"
    projection_type = "KEYS_ONLY"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.lake.arn
  }
}
