output "flink_version" {
  value = flink_workspace.main.flink_version
}

output "orders_flink_job_id" {
  description = "The job's id on the Flink cluster (see it at FLINK_REST_URL/jobs/ID)."
  value       = flink_deployment.orders.flink_job_id
}

output "snapshot" {
  description = "The job snapshot: a real Flink savepoint."
  value = {
    id         = flink_job_snapshot.orders.id
    location   = flink_job_snapshot.orders.location
    size_bytes = flink_job_snapshot.orders.size_bytes
  }
}

output "clone" {
  value = {
    status    = flink_namespace_clone.backup.status
    counts    = flink_namespace_clone.backup.counts
    attention = flink_namespace_clone.backup.attention
  }
}

output "copy" {
  description = "The clone's copy, once started (second apply): RUNNING on Flink, restored from the copied savepoint."
  value = one([
    for d in flink_deployment.copy : {
      status       = d.status
      flink_job_id = d.flink_job_id
      restore      = one(data.flink_deployment.copy[*].restore_point)
    }
  ])
}
