data "flink_clone_history" "backup" {
  # Referring to the clone's target (rather than flink_namespace.backup.id) orders the first read after
  # the clone; later plans read the history at plan time.
  namespace_id = flink_namespace_clone.backup.target_namespace_id
  direction    = "target"
}

output "last_clone" {
  value = try(data.flink_clone_history.backup.clones[0].status, "never cloned")
}
