# Failures reach people through one encrypted topic: the state machine publishes a run's failure
# with its reason; CloudWatch alarms publish when a threshold is crossed.
resource "aws_sns_topic" "failures" {
  name              = "${local.prefix}-ingest-failures"
  kms_master_key_id = aws_kms_key.lake.arn
}

data "aws_iam_policy_document" "failures_topic" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.failures.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.failures.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "failures" {
  arn    = aws_sns_topic.failures.arn
  policy = data.aws_iam_policy_document.failures_topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.failures.arn
  protocol  = "email"
  endpoint  = each.value
}

# Executions that failed, or timed out (the abandoned-leases rule releases the leases of those).
resource "aws_cloudwatch_metric_alarm" "executions" {
  for_each = {
    failed    = "ExecutionsFailed"
    timed_out = "ExecutionsTimedOut"
  }

  alarm_name          = "${local.prefix}-ingest-${each.key}-executions"
  alarm_description   = "An ingest state machine execution reported ${each.value}."
  namespace           = "AWS/States"
  metric_name         = each.value
  dimensions          = { StateMachineArn = module.step_1_parallelism.state_machine_arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failures.arn]
}

resource "aws_cloudwatch_metric_alarm" "glue_job_failures" {
  alarm_name          = "${local.prefix}-ingest-glue-failures"
  alarm_description   = "Glue ingest job runs failed (reported by the job run itself, whoever started it)."
  namespace           = "Glue"
  metric_name         = "glue.driver.aggregate.numFailedTasks"
  dimensions          = { JobName = module.glue_ingest_default_job.job_name, JobRunId = "ALL", Type = "count" }
  statistic           = "Sum"
  period              = 900
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failures.arn]
}

resource "aws_cloudwatch_metric_alarm" "glue_runs_failed" {
  alarm_name          = "${local.prefix}-ingest-glue-runs-failed"
  alarm_description   = "The Glue ingest job reported failed runs (metric RunsFailed that glue_job.py publishes)."
  namespace           = local.metric_namespace
  metric_name         = "RunsFailed"
  dimensions          = { Engine = "glue" }
  statistic           = "Sum"
  period              = 900
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failures.arn]
}

# Rejected rows / rows read over all datasets, per hour (the job publishes both counters per run).
resource "aws_cloudwatch_metric_alarm" "reject_ratio" {
  alarm_name          = "${local.prefix}-ingest-reject-ratio"
  alarm_description   = "More than ${var.max_reject_ratio_alarm * 100}% of the rows read in an hour went to quarantine."
  evaluation_periods  = 1
  threshold           = var.max_reject_ratio_alarm
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failures.arn]

  metric_query {
    id          = "ratio"
    expression  = "IF(read > 0, rejected / read, 0)"
    label       = "Rejected-row ratio"
    return_data = true
  }

  metric_query {
    id = "rejected"
    metric {
      namespace   = local.metric_namespace
      metric_name = "RowsRejected"
      dimensions  = { Engine = "glue" }
      stat        = "Sum"
      period      = 3600
    }
  }

  metric_query {
    id = "read"
    metric {
      namespace   = local.metric_namespace
      metric_name = "RowsRead"
      dimensions  = { Engine = "glue" }
      stat        = "Sum"
      period      = 3600
    }
  }
}

# $3.00 a month at list price (free within CloudWatch's free tier of three dashboards per account): opt-in.
resource "aws_cloudwatch_dashboard" "ingest" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = "${local.prefix}-ingest"
  dashboard_body = jsonencode({
    widgets = [
      {
        type   = "metric"
        x      = 0
        y      = 0
        width  = 12
        height = 6
        properties = {
          title  = "State machine executions"
          region = var.aws_region
          stat   = "Sum"
          period = 3600
          metrics = [
            ["AWS/States", "ExecutionsStarted", "StateMachineArn", module.step_1_parallelism.state_machine_arn],
            [".", "ExecutionsSucceeded", ".", "."],
            [".", "ExecutionsFailed", ".", "."],
            [".", "ExecutionsTimedOut", ".", "."],
            [".", "ExecutionsAborted", ".", "."],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 0
        width  = 12
        height = 6
        properties = {
          title  = "Rows per hour (Glue engine)"
          region = var.aws_region
          stat   = "Sum"
          period = 3600
          metrics = [
            [local.metric_namespace, "RowsRead", "Engine", "glue"],
            [".", "RowsWritten", ".", "."],
            [".", "RowsRejected", ".", "."],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 6
        width  = 12
        height = 6
        properties = {
          title  = "Glue job"
          region = var.aws_region
          period = 900
          metrics = [
            ["Glue", "glue.driver.aggregate.numFailedTasks", "JobName", module.glue_ingest_default_job.job_name, "JobRunId", "ALL", "Type", "count", { stat = "Sum" }],
            [".", "glue.driver.aggregate.elapsedTime", ".", ".", ".", ".", ".", ".", { stat = "Maximum" }],
            [local.metric_namespace, "RunsFailed", "Engine", "glue", { stat = "Sum" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 6
        width  = 12
        height = 6
        properties = {
          title  = "Athena bytes scanned"
          region = var.aws_region
          stat   = "Sum"
          period = 3600
          metrics = [
            ["AWS/Athena", "ProcessedBytes", "WorkGroup", aws_athena_workgroup.ingest.name],
          ]
        }
      },
      {
        type   = "alarm"
        x      = 0
        y      = 12
        width  = 24
        height = 4
        properties = {
          title = "Alarms"
          alarms = [
            aws_cloudwatch_metric_alarm.executions["failed"].arn,
            aws_cloudwatch_metric_alarm.executions["timed_out"].arn,
            aws_cloudwatch_metric_alarm.glue_job_failures.arn,
            aws_cloudwatch_metric_alarm.glue_runs_failed.arn,
            aws_cloudwatch_metric_alarm.reject_ratio.arn,
          ]
        }
      },
    ]
  })
}
