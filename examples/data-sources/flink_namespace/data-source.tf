data "flink_namespace" "prod" {
  workspace_id = flink_workspace.example.id
  name         = "prod"
}
