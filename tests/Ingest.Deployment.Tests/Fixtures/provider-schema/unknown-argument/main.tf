# Deliberately broken: the log group's retention argument is retention_in_days, not retention_days.
resource "aws_cloudwatch_log_group" "job" {
  name           = "/aws-glue/jobs/output"
  retention_days = 30
}
