resource "flink_catalog" "lake" {
  namespace_id = flink_namespace.example.id
  name         = "lake"
  type         = "paimon"
  properties = {
    warehouse = "s3://example-lake/warehouse"
  }
}
