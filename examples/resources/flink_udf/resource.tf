# The functions of a JAR uploaded as a file resource.
resource "flink_udf" "strings" {
  namespace_id     = flink_namespace.example.id
  name             = "string-functions"
  type             = "jar"
  file_resource_id = flink_file_resource.udfs.id
  functions        = ["lower2", "upper2"]
}
