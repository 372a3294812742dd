data "flink_job_state_sets" "orders" {
  deployment_id = flink_deployment.orders.id
}

output "last_checkpoint" {
  value = data.flink_job_state_sets.orders.overview.last_checkpoint
}
