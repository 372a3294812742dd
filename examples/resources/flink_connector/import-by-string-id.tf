import {
  to = flink_connector.mq
  id = "conn-0123456789abcdef0123"
}
