resource "flink_format" "events" {
  namespace_id = flink_namespace.example.id
  name         = "events-avro"
  type         = "avro"
  properties = {
    "schema-registry.url" = "http://schema-registry:8081"
  }
}
