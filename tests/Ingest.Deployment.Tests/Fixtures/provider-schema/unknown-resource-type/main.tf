# Deliberately broken: the provider has no aws_s3_bucket_lifecycle resource (it is aws_s3_bucket_lifecycle_configuration).
resource "aws_s3_bucket_lifecycle" "zone" {
  bucket = "example-raw"
}
