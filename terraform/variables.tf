variable "aws_region" {
  description = "Region everything is deployed to."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_name" {
  description = "Name tag of the existing VPC the Glue job runs in (it reaches the on-premise site through this VPC's VPN or Direct Connect)."
  type        = string
  default     = "private-dev-aftersales"
}

variable "project_name" {
  description = "Basis of every resource name (the same ProjectName the CloudFormation seed stack was given)."
  type        = string
  default     = "aws-challenge"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.project_name))
    error_message = "project_name: lower-case letters, digits and '-', 2-31 characters, starting with a letter (it becomes part of bucket names)."
  }
}

variable "environment" {
  description = "dev, int or prod."
  type        = string
  default     = "dev"

  validation {
    condition     = contains(["dev", "int", "prod"], var.environment)
    error_message = "environment must be dev, int or prod."
  }
}

variable "private_subnet_tag" {
  description = "Tag (key and value) that marks the VPC's private subnets; the Glue connection is placed in the first of them."
  type        = object({ key = string, value = string })
  default     = { key = "Tier", value = "private" }
}

variable "onprem_cidrs" {
  description = "CIDR ranges of the on-premise networks, reachable over the VPN or Direct Connect."
  type        = list(string)
  default     = ["10.0.0.0/8"]
}

variable "onprem_db_ports" {
  description = "TCP ports of the on-premise databases the Glue job reads over JDBC (SQL Server 1433, PostgreSQL 5432, Oracle 1521...)."
  type        = list(number)
  default     = [1433]
}

variable "create_vpc_endpoints" {
  description = "Create the S3 and DynamoDB gateway endpoints (free) on the private subnets' route tables, so lake and table traffic stays off the NAT. Turn off when the VPC already has them."
  type        = bool
  default     = true
}

variable "interface_endpoint_services" {
  description = "Opt-in interface endpoints (each about $7.30 a month per zone plus data, us-east-1 list price), one subnet per zone of the private subnets: only services the Glue job calls - glue (catalog, connection), logs (its log groups), monitoring (its metrics). Empty by default: the job reaches them through the VPC's NAT. Leave out any the VPC already has an endpoint for."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.interface_endpoint_services : contains(["glue", "logs", "monitoring"], s)])
    error_message = "interface_endpoint_services may hold only glue, logs and monitoring (the services the Glue job calls); S3 and DynamoDB use the gateway endpoints of create_vpc_endpoints."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of the permissions boundary every role of this stack carries (cfn/seed.yaml WorkloadBoundary; the build passes it as TF_VAR_permissions_boundary_arn). The deploy role may create roles only with it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be the ARN of an IAM managed policy, e.g. arn:aws:iam::123456789012:policy/aws-challenge-dev-ingest-boundary (the seed stack's WorkloadBoundary)."
  }
}

variable "catalog_databases" {
  description = "Glue databases (one per domain). A definition's catalog.database must be one of these: the Glue job may only write tables and partitions there. The seed stack's CatalogDatabases passes them (TF_VAR_catalog_databases), and the deploy role may manage only these."
  type        = list(string)
  default     = ["sales", "crm", "finance", "inventory"]

  validation {
    condition     = length(var.catalog_databases) > 0 && alltrue([for db in var.catalog_databases : can(regex("^[a-z][a-z0-9_]{0,254}$", db))])
    error_message = "catalog_databases: one or more Glue database names, each lower-case letters, digits and '_', starting with a letter."
  }
}

variable "glue_worker_type" {
  description = "Default worker type of the Glue job (a definition's engine.glue.workerType overrides it per run)."
  type        = string
  default     = "G.1X"

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.glue_worker_type)
    error_message = "glue_worker_type must be one of G.1X, G.2X, G.4X, G.8X: the job is a Spark (glueetl) job, and StartJobRun refuses G.025X (streaming) and Z.2X (Ray) for it."
  }
}

variable "glue_number_of_workers" {
  description = "Default number of Glue workers (a definition's engine.glue.numberOfWorkers overrides it per run)."
  type        = number
  default     = 2

  validation {
    condition     = var.glue_number_of_workers >= 2 && var.glue_number_of_workers <= 1000
    error_message = "glue_number_of_workers must be between 2 and 1000."
  }
}

variable "glue_timeout_minutes" {
  description = "Default timeout of a Glue job run in minutes."
  type        = number
  default     = 60
}

variable "max_concurrency" {
  description = "How many datasets one state machine execution ingests at the same time (the Map state's MaxConcurrency)."
  type        = number
  default     = 4

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 40
    error_message = "max_concurrency must be between 1 and 40."
  }
}

variable "glue_max_concurrent_runs" {
  description = "The Glue job's concurrent-run limit. Above max_concurrency, so a manual execution beside the scheduled one does not fail with ConcurrentRunsExceeded (the default leaves room for two full executions)."
  type        = number
  default     = 8

  validation {
    condition     = var.glue_max_concurrent_runs > var.max_concurrency && var.glue_max_concurrent_runs <= 1000
    error_message = "glue_max_concurrent_runs must be above max_concurrency (the Map's MaxConcurrency) and at most 1000."
  }
}

variable "schedule_expression" {
  description = "When the ingest state machine starts (EventBridge Scheduler expression)."
  type        = string
  default     = "cron(0 2 * * ? *)"
}

variable "schedule_timezone" {
  description = "Time zone of schedule_expression."
  type        = string
  default     = "Europe/Berlin"
}

variable "scheduled_datasets" {
  description = "Datasets (domain.name, registered with engine.kind = glue) that the scheduled execution ingests."
  type        = list(string)
  default     = ["inventory.stock_levels"]
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the failure topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "create_dashboard" {
  description = "Create the CloudWatch dashboard (executions, rows per hour, Glue). It costs $3.00 a month at list price unless the account is within CloudWatch's free tier of three dashboards; the alarms do not need it."
  type        = bool
  default     = false
}

variable "max_reject_ratio_alarm" {
  description = "Share of rejected rows (all datasets, per hour) above which the rejected-rows alarm fires."
  type        = number
  default     = 0.05
}

variable "athena_bytes_scanned_cutoff" {
  description = "Largest number of bytes one Athena query of the workgroup may scan (cost guard)."
  type        = number
  default     = 10737418240 # 10 GiB
}

variable "raw_transition_days" {
  description = "Days after which raw objects move to infrequent access."
  type        = number
  default     = 30
}

variable "raw_archive_days" {
  description = "Days after which raw objects move to Glacier Instant Retrieval."
  type        = number
  default     = 90
}

variable "raw_expiration_days" {
  description = "Days after which raw objects are deleted (0 keeps them for ever)."
  type        = number
  default     = 0
}

variable "quarantine_expiration_days" {
  description = "Days after which quarantined rows are deleted."
  type        = number
  default     = 90
}

variable "failed_run_rejects_expiration_days" {
  description = "Days after which the rejected rows of runs over their reject budget (quarantine zone, _failed_runs/) are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.failed_run_rejects_expiration_days >= 1
    error_message = "failed_run_rejects_expiration_days must be 1 or more: S3 refuses a lifecycle rule without an action."
  }
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups."
  type        = number
  default     = 90
}
