# A policy is imported by the id of its deployment.
terraform import flink_snapshot_policy.orders dep-0123456789abcdef0123
