import {
  to = flink_namespace.example
  id = "ns-0123456789abcdef0123"
}
