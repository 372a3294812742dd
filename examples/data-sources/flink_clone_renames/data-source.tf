data "flink_clone_renames" "backup" {
  clone_id = flink_namespace_clone.backup.id
}
