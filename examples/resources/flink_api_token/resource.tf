# Needs the engine's admin token. The user exists from the moment it has a token or a membership.
resource "flink_api_token" "ci" {
  user        = "ci-bot"
  description = "Terraform Cloud runs"
}

output "ci_token" {
  value     = flink_api_token.ci.token
  sensitive = true
}
