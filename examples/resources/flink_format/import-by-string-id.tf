import {
  to = flink_format.events
  id = "fmt-0123456789abcdef0123"
}
