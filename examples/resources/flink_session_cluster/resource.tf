resource "flink_session_cluster" "shared" {
  namespace_id   = flink_namespace.example.id
  name           = "shared"
  engine_version = "flink-1.20"
  desired_state  = "RUNNING"
  flink_configuration = {
    "taskmanager.numberOfTaskSlots" = "4"
  }
}
