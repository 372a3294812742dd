resource "flink_job_snapshot" "before_upgrade" {
  deployment_id = flink_deployment.orders.id
  format        = "CANONICAL"
  description   = "before the schema upgrade"
}
