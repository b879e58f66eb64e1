# Deliberately broken: the dynamic rule's content writes the expiration as an argument (expiration_days);
# a lifecycle rule takes an expiration block with days.
variable "zones" {
  type = map(number)
}

resource "aws_s3_bucket_lifecycle_configuration" "zone" {
  bucket = "example-raw"

  dynamic "rule" {
    for_each = var.zones
    content {
      id     = "zone-${rule.key}"
      status = "Enabled"
      filter {
        prefix = "${rule.key}/"
      }
      expiration_days = rule.value
    }
  }
}
