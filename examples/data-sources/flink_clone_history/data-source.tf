data "flink_clone_history" "backup" {
  namespace_id = flink_namespace.backup.id
  direction    = "target"
  # Read after the clone this configuration runs, so the history includes it.
  depends_on = [flink_namespace_clone.backup]
}

output "last_clone" {
  value = try(data.flink_clone_history.backup.clones[0].status, "never cloned")
}
