data "flink_clone_history" "backup" {
  namespace_id = flink_namespace.backup.id
  direction    = "target"
}

output "last_clone" {
  value = try(data.flink_clone_history.backup.clones[0].status, "never cloned")
}
