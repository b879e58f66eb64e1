output "state_machine_arn" {
  value = aws_sfn_state_machine.ingest.arn
}

output "state_machine_name" {
  value = aws_sfn_state_machine.ingest.name
}

output "role_arn" {
  value = aws_iam_role.state_machine.arn
}
