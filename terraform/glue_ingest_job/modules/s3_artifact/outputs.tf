output "s3_uri" {
  value = "s3://${aws_s3_object.artifact.bucket}/${aws_s3_object.artifact.key}"
}

output "key" {
  value = aws_s3_object.artifact.key
}
