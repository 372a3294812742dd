resource "flink_variable" "brokers" {
  namespace_id = flink_namespace.example.id
  name         = "kafka-brokers"
  value        = "broker-1:9092,broker-2:9092"
}

resource "flink_variable" "password" {
  namespace_id = flink_namespace.example.id
  name         = "kafka-password"
  kind         = "ENCRYPTED" # encrypted at rest, never returned by the engine
  value        = var.kafka_password
}

variable "kafka_password" {
  type      = string
  sensitive = true
}
