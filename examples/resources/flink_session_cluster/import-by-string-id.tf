import {
  to = flink_session_cluster.shared
  id = "sc-0123456789abcdef0123"
}
