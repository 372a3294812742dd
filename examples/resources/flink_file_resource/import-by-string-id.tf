import {
  to = flink_file_resource.udfs
  id = "file-0123456789abcdef0123"
}
