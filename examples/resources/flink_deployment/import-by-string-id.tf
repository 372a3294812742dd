import {
  to = flink_deployment.orders
  id = "dep-0123456789abcdef0123"
}
