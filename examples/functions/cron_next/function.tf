# When would a snapshot policy with this schedule fire next? Try it in `terraform console`.
output "next_snapshots" {
  value = provider::flink::cron_next("0/30 9-17 * * MON-FRI", "Asia/Shanghai", timestamp(), 5)
}
