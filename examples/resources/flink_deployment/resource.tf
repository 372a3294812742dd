resource "flink_deployment" "orders" {
  namespace_id   = flink_namespace.example.id
  name           = "orders-enrichment"
  type           = "SQL"
  engine_version = "vvr-8.0.9-flink-1.17"
  sql            = "INSERT INTO enriched_orders SELECT * FROM orders"
  flink_configuration = {
    "state.backend.incremental" = "true"
    "table.exec.state.ttl"      = "36h"
  }
  checkpoint = {
    interval  = "3m"
    timeout   = "10m"
    min_pause = "30s"
    retained  = 2
  }
  desired_state = "RUNNING"
  stop_strategy = "STOP_WITH_SAVEPOINT"
}

# A JAR job started from another deployment's snapshot (a dual run, say).
resource "flink_deployment" "orders_v2" {
  namespace_id   = flink_namespace.example.id
  name           = "orders-enrichment-v2"
  type           = "JAR"
  engine_version = "vvr-8.0.9-flink-1.17"
  jar = {
    uri         = "oss://artifacts/orders-2.0.jar"
    entry_class = "com.example.Orders"
    args        = ["--mode", "enrich"]
  }
  desired_state = "RUNNING"
  restore = {
    kind                     = "FROM_SAVEPOINT"
    snapshot_id              = flink_job_snapshot.before_upgrade.id
    allow_non_restored_state = true
  }
}
