# The metadata table: schema registry, run ledger, leases and input fingerprints in one table
# (docs/adr/0003-single-table-registry.md), read and written by the C# backends (src/Ingest.Aws/DynamoDb),
# the state machine and the Glue job (ingest_core/ledger.py) alike. Items: pk = DATASET#<domain.name>,
# sk = DEF#<version:D6> | DEF#LATEST | RUN#<run id> | LEASE | SOURCE#<sha256>; and pk = DATASETS,
# sk = <domain.name>, the list of datasets. Every read is by key or by a query on one pk, so the table
# has no secondary index.
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

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.lake.arn
  }
}
