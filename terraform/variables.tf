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
  description = "Create gateway endpoints for S3 and DynamoDB and interface endpoints for the services the job calls, so no traffic leaves the VPC through a NAT. Turn off when the VPC already has them."
  type        = bool
  default     = true
}

variable "interface_endpoint_services" {
  description = "Services that get an interface endpoint in the private subnets when create_vpc_endpoints is on."
  type        = list(string)
  default     = ["glue", "logs", "monitoring", "secretsmanager", "kms", "sts"]
}

variable "catalog_databases" {
  description = "Glue databases (one per domain). A definition's catalog.database must be one of these: the Glue job may only write tables and partitions there."
  type        = list(string)
  default     = ["sales", "crm", "finance", "inventory"]
}

variable "glue_worker_type" {
  description = "Default worker type of the Glue job (a definition's engine.glue.workerType overrides it per run)."
  type        = string
  default     = "G.1X"

  validation {
    condition     = contains(["G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "Z.2X"], var.glue_worker_type)
    error_message = "glue_worker_type must be one of G.025X, G.1X, G.2X, G.4X, G.8X, Z.2X."
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
  description = "How many datasets one state machine execution ingests at the same time (the Map state's MaxConcurrency, and the Glue job's concurrent-run limit)."
  type        = number
  default     = 4

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 40
    error_message = "max_concurrency must be between 1 and 40."
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

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups."
  type        = number
  default     = 90
}
