# A JAR built next to the configuration. The provider hashes it at plan time, so a rebuilt JAR plans an
# upload; source_hash makes the cause visible in the plan.
resource "flink_file_resource" "udfs" {
  namespace_id = flink_namespace.example.id
  name         = "udfs.jar"
  source       = "${path.module}/build/udfs.jar"
  source_hash  = filesha256("${path.module}/build/udfs.jar")

  timeouts {
    create = "30m" # a large JAR over a slow link
  }
}

# A small text file, inline.
resource "flink_file_resource" "log_config" {
  namespace_id = flink_namespace.example.id
  name         = "log4j2.properties"
  content      = "rootLogger.level = INFO\n"
}

# A JAR deployment runs the uploaded file: jar.uri takes the file resource's id. While the deployment
# uses it, the engine refuses to delete the file resource.
resource "flink_deployment" "enrich" {
  namespace_id   = flink_namespace.example.id
  name           = "enrich"
  type           = "JAR"
  engine_version = "flink-1.20"
  jar = {
    uri         = flink_file_resource.udfs.id
    entry_class = "com.example.Enrich"
  }
}
