variable "flink_rest_url" {
  description = "The JobManager REST endpoint of the Flink session cluster."
  type        = string
  default     = "http://127.0.0.1:8081"
}

variable "flink_sql_gateway_url" {
  description = "The SQL Gateway REST endpoint of the Flink session cluster."
  type        = string
  default     = "http://127.0.0.1:8083"
}

variable "engine_version" {
  description = "Must match the cluster's Flink major.minor, e.g. flink-1.20 or flink-2.3."
  type        = string
  default     = "flink-1.20"
}

variable "start_copy" {
  description = "Import the clone's copy of the job and start it from the copied savepoint (the second apply)."
  type        = bool
  default     = false
}
