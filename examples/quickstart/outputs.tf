output "clone_status" {
  value = flink_namespace_clone.backup.status
}

output "clone_counts" {
  description = "Objects per kind: total, done, failed, skipped."
  value       = flink_namespace_clone.backup.counts
}

output "clone_renames" {
  description = "Names taken in the target and what the copies were called instead."
  value       = data.flink_clone_renames.backup.renames
}

output "clone_history" {
  value = [for c in data.flink_clone_history.backup.clones : "${c.id}: ${c.status}, ${c.total_count} objects, ${c.failed_count} failed"]
}

output "payments_state_sets" {
  description = "The last snapshot of the payments job and how many it has (its checkpoints move every few seconds)."
  value = {
    last_snapshot = data.flink_job_state_sets.payments.overview.last_snapshot
    snapshots     = length(data.flink_job_state_sets.payments.snapshots)
  }
}

output "orders_next_snapshots" {
  description = "When the orders job's next scheduled snapshots are due."
  value       = flink_snapshot_policy.orders.next_fire_times
}

output "cron_preview" {
  description = "provider::flink::cron_next previews a schedule before it is applied."
  value       = provider::flink::cron_next("0/30 9-17 * * MON-FRI", "Europe/Berlin", "2026-11-23T08:00:00Z", 3)
}

output "backup_state_sets" {
  description = "The cloned payments job in the backup namespace: stopped, restoring from its COPIED snapshot."
  value = {
    status        = data.flink_deployment.payments_copy.status
    restore_point = data.flink_deployment.payments_copy.restore_point
    snapshots     = [for s in data.flink_job_state_sets.payments_copy.snapshots : "${s.id} ${s.origin} ${s.status} ${s.size_bytes} bytes"]
  }
}
