resource "flink_namespace_clone" "backup" {
  source_namespace_id = flink_namespace.prod.id
  target_namespace_id = flink_namespace.backup.id
  objects             = ["variables", "file_resources", "udfs", "connectors", "catalogs", "deployments"]
  deployment_filter = {
    names    = ["orders-*"]
    statuses = ["RUNNING", "CANCELLED"]
  }
  state_policy   = "STATEFUL"
  running_policy = "DO_NOT_SKIP"
  error_policy   = "ALLOW_STATELESS"
  name_conflict  = "RENAME"
  catalog_mapping = {
    prod_catalog = "backup_catalog"
  }
}

output "renamed" {
  value = flink_namespace_clone.backup.renames
}
