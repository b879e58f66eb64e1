# The lock table's name is fixed (tf-state-lock-bootstrap), so one seed stack per account and region owns it;
# use_lockfile adds S3's own lock file beside the state object (Terraform 1.10+), which is per state key.
# Remote state in the bucket and lock table that cfn/seed.yaml creates. CodeBuild passes the rest:
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="key=<path>/terraform.tfstate" \
#                  -backend-config="region=<region>" [-backend-config="role_arn=<deploy role>"]
terraform {
  backend "s3" {
    dynamodb_table = "tf-state-lock-bootstrap"
    use_lockfile   = true
    encrypt        = true
  }
}
