import {
  to = flink_udf.strings
  id = "udf-0123456789abcdef0123"
}
