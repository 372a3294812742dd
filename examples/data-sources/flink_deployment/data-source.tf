data "flink_deployment" "orders_copy" {
  namespace_id = data.flink_namespace.prod.id
  name         = "orders-enrichment"
}
