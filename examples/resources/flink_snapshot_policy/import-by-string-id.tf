# A policy is imported by the id of its deployment.
import {
  to = flink_snapshot_policy.orders
  id = "dep-0123456789abcdef0123"
}
