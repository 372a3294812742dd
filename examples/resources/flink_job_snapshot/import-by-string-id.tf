import {
  to = flink_job_snapshot.before_upgrade
  id = "snap-0123456789abcdef0123"
}
