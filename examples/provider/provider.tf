provider "flink" {
  endpoint = "http://127.0.0.1:8480" # or set FLINK_ENDPOINT
  # token = var.flink_token          # or set FLINK_TOKEN
}
