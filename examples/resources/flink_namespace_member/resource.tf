resource "flink_namespace_member" "alice" {
  namespace_id = flink_namespace.example.id
  user         = "alice"
  role         = "EDITOR"
}
