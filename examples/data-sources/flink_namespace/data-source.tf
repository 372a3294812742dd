data "flink_namespace" "example" {
  workspace_id = flink_namespace.example.workspace_id
  name         = flink_namespace.example.name
}
