output "job_name" {
  value = aws_glue_job.ingest.name
}

output "job_arn" {
  value = aws_glue_job.ingest.arn
}

output "role_arn" {
  value = aws_iam_role.glue.arn
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.job.name
}
