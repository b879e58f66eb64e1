variable "name" {
  description = "State machine name."
  type        = string
}

variable "aws_region" {
  type = string
}

variable "account_id" {
  type = string
}

variable "partition" {
  type = string
}

variable "metadata_table_name" {
  type = string
}

variable "metadata_table_arn" {
  type = string
}

variable "glue_job_name" {
  type = string
}

variable "glue_job_arn" {
  type = string
}

variable "catalog_databases" {
  description = "Glue databases whose tables the state machine registers partitions in."
  type        = list(string)
}

variable "failure_topic_arn" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "max_concurrency" {
  description = "MaxConcurrency of the Map over datasets."
  type        = number
}

variable "schedule_expression" {
  type = string
}

variable "schedule_timezone" {
  type = string
}

variable "scheduled_datasets" {
  type = list(string)
}

variable "log_retention_days" {
  type = number
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the roles this module creates."
  type        = string
}
