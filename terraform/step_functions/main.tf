# The ingest state machine: a Map over datasets; per dataset it takes the lease (conditional PutItem),
# reads the registered definition (GetItem on DEF#LATEST), runs the Glue job synchronously, checks the
# ledger record the job committed, publishes failures and releases the lease on every path.
# ingest.asl.json is a template: Terraform fills in the names below.

locals {
  definition = templatefile("${path.module}/ingest.asl.json", {
    metadata_table    = var.metadata_table_name
    glue_job_name     = var.glue_job_name
    failure_topic_arn = var.failure_topic_arn
    max_concurrency   = var.max_concurrency
  })
  state_machine_arn = "arn:${var.partition}:states:${var.aws_region}:${var.account_id}:stateMachine:${var.name}"
}

# Trust policies of the three roles below: each service, from this account only.
data "aws_iam_policy_document" "assume" {
  for_each = toset(["states", "scheduler", "events"])

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["${each.key}.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${var.name}-states"
  assume_role_policy = data.aws_iam_policy_document.assume["states"].json
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid = "MetadataTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
    ]
    resources = [var.metadata_table_arn]
  }

  statement {
    sid = "GlueJob"
    actions = [
      "glue:StartJobRun",
      "glue:GetJobRun",
      "glue:GetJobRuns",
      "glue:BatchStopJobRun",
    ]
    resources = [var.glue_job_arn]
  }

  statement {
    sid       = "FailureTopic"
    actions   = ["sns:Publish"]
    resources = [var.failure_topic_arn]
  }

  statement {
    sid       = "EncryptedTableAndTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # Log delivery for Step Functions is configured through these account-level calls, which accept
  # no resource narrower than "*".
  statement {
    sid = "ExecutionLogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "ingest"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_sfn_state_machine" "ingest" {
  name       = var.name
  role_arn   = aws_iam_role.state_machine.arn
  type       = "STANDARD"
  definition = local.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = false
  }

  depends_on = [aws_iam_role_policy.state_machine]
}

# --- time-based start: EventBridge Scheduler ------------------------------------------------------

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume["scheduler"].json
}

data "aws_iam_policy_document" "start_execution" {
  statement {
    sid       = "StartIngest"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-ingest"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.start_execution.json
}

resource "aws_scheduler_schedule" "ingest" {
  name                         = "${var.name}-nightly"
  description                  = "Starts the Glue ingest of the scheduled datasets."
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.ingest.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ datasets = var.scheduled_datasets })

    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }
  }
}

# --- event-based cleanup: an execution that was aborted or timed out skipped its Catch paths, so its
# leases are released by a second execution in cleanup mode (conditional on the lease naming it).

resource "aws_cloudwatch_event_rule" "abandoned_leases" {
  name        = "${var.name}-abandoned-leases"
  description = "Releases the dataset leases of ingest executions that were aborted or timed out."
  event_pattern = jsonencode({
    source        = ["aws.states"]
    "detail-type" = ["Step Functions Execution Status Change"]
    detail = {
      stateMachineArn = [local.state_machine_arn]
      status          = ["ABORTED", "TIMED_OUT"]
    }
  })
}

resource "aws_iam_role" "events" {
  name               = "${var.name}-events"
  assume_role_policy = data.aws_iam_policy_document.assume["events"].json
}

resource "aws_iam_role_policy" "events" {
  name   = "start-ingest-cleanup"
  role   = aws_iam_role.events.id
  policy = data.aws_iam_policy_document.start_execution.json
}

resource "aws_cloudwatch_event_target" "abandoned_leases" {
  rule     = aws_cloudwatch_event_rule.abandoned_leases.name
  arn      = aws_sfn_state_machine.ingest.arn
  role_arn = aws_iam_role.events.arn

  input_transformer {
    input_paths = {
      executionArn = "$.detail.executionArn"
      input        = "$.detail.input"
    }
    input_template = <<-JSON
      {"cleanup": {"executionArn": <executionArn>, "input": <input>}}
    JSON
  }
}
