# Deliberately broken: the DynamoDB table's recovery block is point_in_time_recovery; point_in_time_restore is no block of it.
resource "aws_dynamodb_table" "metadata" {
  name         = "example-ingest-metadata"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_restore {
    enabled = true
  }
}
