import {
  to = flink_namespace_clone.backup
  id = "clone-0123456789abcdef0123"
}
