# Read a catalog by name, such as the copy a namespace clone made.
data "flink_catalog" "lake" {
  namespace_id = flink_namespace.example.id
  name         = flink_catalog.lake.name
}
