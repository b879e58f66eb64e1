variable "job_name" {
  type = string
}

variable "glue_connections_name" {
  description = "Glue connections the job runs with."
  type        = list(string)
}

variable "prefix" {
  type = string
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

variable "script_location" {
  type = string
}

variable "extra_py_files" {
  type = list(string)
}

variable "artifacts_bucket" {
  type = string
}

variable "zone_buckets" {
  type = map(string)
}

variable "metadata_table_name" {
  type = string
}

variable "metadata_table_arn" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "catalog_databases" {
  type = list(string)
}

variable "onprem_secret_arn" {
  type = string
}

variable "worker_type" {
  type = string
}

variable "number_of_workers" {
  type = number
}

variable "timeout_minutes" {
  type = number
}

variable "max_concurrent_runs" {
  type = number
}

variable "metric_namespace" {
  type = string
}

variable "log_retention_days" {
  type = number
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the roles this module creates."
  type        = string
}
