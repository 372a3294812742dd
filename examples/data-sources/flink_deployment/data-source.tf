# Find a deployment Terraform does not manage, such as the copy a namespace clone made.
data "flink_deployment" "orders" {
  namespace_id = flink_namespace.example.id
  name         = flink_deployment.orders.name
}
