# Remote state in the bucket and lock table that cfn/seed.yaml creates. CodeBuild passes the rest:
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="key=<path>/terraform.tfstate" \
#                  -backend-config="region=<region>" [-backend-config="role_arn=<deploy role>"]
terraform {
  backend "s3" {
    dynamodb_table = "tf-state-lock-bootstrap"
    encrypt        = true
  }
}
