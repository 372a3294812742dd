# SQL under development: each apply that changes it keeps a new version of the draft.
resource "flink_draft" "report" {
  namespace_id   = flink_namespace.example.id
  name           = "daily-report"
  engine_version = "flink-1.20"
  sql            = "SELECT order_day, SUM(amount) FROM lake.sales.orders GROUP BY order_day"
}
