import {
  to = flink_variable.brokers
  id = "var-0123456789abcdef0123"
}
