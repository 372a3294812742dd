# Find a file resource uploaded by another configuration (or copied by a clone) to reference its id.
data "flink_file_resource" "udfs" {
  namespace_id = flink_namespace.example.id
  name         = flink_file_resource.udfs.name
}
