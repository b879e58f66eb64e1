# One file uploaded to the artifacts bucket; a changed file (new hash) is uploaded again.
resource "aws_s3_object" "artifact" {
  bucket                 = var.bucket
  key                    = var.key
  source                 = var.source_path
  source_hash            = var.source_hash
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
}
