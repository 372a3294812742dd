import {
  to = flink_catalog.lake
  id = "cat-0123456789abcdef0123"
}
