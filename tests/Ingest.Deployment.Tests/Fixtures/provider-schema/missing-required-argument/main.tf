# Deliberately broken: every lifecycle rule needs a status ("Enabled" or "Disabled"); the provider requires it.
resource "aws_s3_bucket_lifecycle_configuration" "zone" {
  bucket = "example-raw"

  rule {
    id = "expire-rejects"
    filter {
      prefix = "_failed_runs/"
    }
    expiration {
      days = 30
    }
  }
}
