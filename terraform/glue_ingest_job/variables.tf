variable "config" {
  description = "Job wiring: glue_connections_list = the Glue connections the job runs with (the NETWORK connection into the private subnet)."
  type = object({
    glue_connections_list = list(string)
  })
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

variable "artifacts_bucket" {
  description = "Bucket that holds the job script, its dependencies and its temporary files."
  type        = string
}

variable "zone_buckets" {
  description = "Bucket per lake zone: raw, curated, quarantine."
  type        = map(string)
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
