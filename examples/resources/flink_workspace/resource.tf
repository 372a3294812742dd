resource "flink_workspace" "example" {
  name          = "analytics"
  region        = "cn-hangzhou"
  architecture  = "x86_64"
  clone_enabled = true
  storage = {
    type = "managed"
  }
}

# A workspace whose state lives in your own S3-compatible (OSS) bucket.
resource "flink_workspace" "own_bucket" {
  name         = "analytics-oss"
  region       = "cn-hangzhou"
  architecture = "x86_64"
  storage = {
    type              = "oss"
    endpoint          = "https://oss-cn-hangzhou.aliyuncs.com"
    bucket            = "my-flink-state"
    prefix            = "analytics/"
    access_key_id     = var.oss_access_key_id
    secret_access_key = var.oss_secret_access_key
  }
}

variable "oss_access_key_id" {
  type = string
}

variable "oss_secret_access_key" {
  type      = string
  sensitive = true
}
