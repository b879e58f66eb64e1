output "job_name" {
  value = module.glue_ingest.job_name
}

output "job_arn" {
  value = module.glue_ingest.job_arn
}

output "role_arn" {
  value = module.glue_ingest.role_arn
}

output "script_location" {
  value = module.glue_job_default_artifact_py.s3_uri
}

output "dependencies_location" {
  value = module.glue_job_default_artifact_dependencies.s3_uri
}
