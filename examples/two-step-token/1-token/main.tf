# Step 1, with the engine's admin token: make the CI user's token and a namespace it may change.
terraform {
  required_providers {
    flink = { source = "streamstate/flink" }
  }
}

provider "flink" {} # FLINK_ENDPOINT and FLINK_TOKEN (the admin token)

variable "workspace_id" { type = string }

resource "flink_namespace" "team" {
  workspace_id = var.workspace_id
  name         = "team"
}

resource "flink_api_token" "ci" {
  user        = "ci-bot"
  description = "the team's pipeline"
}

resource "flink_namespace_member" "ci" {
  namespace_id = flink_namespace.team.id
  user         = flink_api_token.ci.user
  role         = "EDITOR"
}

output "namespace_id" { value = flink_namespace.team.id }
output "ci_token" {
  value     = flink_api_token.ci.token
  sensitive = true
}
