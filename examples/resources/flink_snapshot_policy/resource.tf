resource "flink_snapshot_policy" "orders" {
  deployment_id = flink_deployment.orders.id
  schedule = {
    enabled   = true
    cron      = "0/30 9-17 * * MON-FRI" # every 30 minutes in office hours
    time_zone = "Asia/Shanghai"
  }
  cleanup = {
    enabled    = true
    keep_count = 10
    max_age    = "168h"
  }
}
