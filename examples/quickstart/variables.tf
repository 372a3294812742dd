variable "kafka_password" {
  description = "Stored as an ENCRYPTED variable: the engine never returns it."
  type        = string
  sensitive   = true
  default     = "quickstart-only-secret"
}
