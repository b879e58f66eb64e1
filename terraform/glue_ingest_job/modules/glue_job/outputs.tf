output "job_name" {
  value = aws_glue_job.ingest.name
}

output "job_arn" {
  value = aws_glue_job.ingest.arn
}

output "role_arn" {
  value = aws_iam_role.glue.arn
}

output "log_group_names" {
  description = "The job's Glue 5.0 log groups: error and output."
  value       = { for stream, group in aws_cloudwatch_log_group.job : stream => group.name }
}
