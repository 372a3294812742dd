# When would a snapshot policy with this schedule fire? Pass timestamp() as `after` in
# `terraform console` to preview from now.
output "next_snapshots" {
  value = provider::flink::cron_next("0/30 9-17 * * MON-FRI", "Asia/Shanghai", "2026-11-23T00:00:00Z", 5)
}
