resource "flink_namespace" "example" {
  workspace_id = flink_workspace.example.id
  name         = "prod"
  # Destroying a namespace that still holds objects Terraform does not manage (a clone's results, say)
  # fails unless force_destroy is set.
  force_destroy = false
}
