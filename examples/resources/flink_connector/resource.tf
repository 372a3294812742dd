# A custom connector whose factory lives in a JAR uploaded as a file resource.
resource "flink_connector" "mq" {
  namespace_id     = flink_namespace.example.id
  name             = "mq"
  type             = "mq"
  file_resource_id = flink_file_resource.udfs.id
  properties = {
    factory = "com.example.MqTableFactory"
  }
}
