# Deliberately broken: a Glue job needs a command block (which script, which job type).
resource "aws_glue_job" "ingest" {
  name         = "ingest-glue-job"
  role_arn     = "arn:aws:iam::123456789012:role/ingest-glue"
  glue_version = "5.0"
}
