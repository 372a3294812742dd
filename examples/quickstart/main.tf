# Quickstart: two namespaces, three deployments with state, and a stateful clone of one into the other.
terraform {
  required_providers {
    flink = {
      source = "streamstate/flink"
    }
  }
}

provider "flink" {
  # endpoint and token come from FLINK_ENDPOINT and FLINK_TOKEN.
}

resource "flink_workspace" "main" {
  name          = "quickstart"
  region        = "cn-hangzhou"
  architecture  = "x86_64"
  clone_enabled = true
  storage = {
    type = "managed"
  }
}

resource "flink_namespace" "prod" {
  workspace_id = flink_workspace.main.id
  name         = "prod"
}

resource "flink_namespace" "backup" {
  workspace_id = flink_workspace.main.id
  name         = "backup"
  # The clone fills this namespace with objects Terraform does not manage.
  force_destroy = true
}

resource "flink_variable" "brokers" {
  namespace_id = flink_namespace.prod.id
  name         = "kafka-brokers"
  value        = "broker-1:9092,broker-2:9092"
}

resource "flink_variable" "password" {
  namespace_id = flink_namespace.prod.id
  name         = "kafka-password"
  kind         = "ENCRYPTED"
  value        = var.kafka_password
}

# The backup namespace already holds a variable of the same name: the clone renames its copy.
resource "flink_variable" "backup_brokers" {
  namespace_id = flink_namespace.backup.id
  name         = "kafka-brokers"
  value        = "dr-broker:9092"
}

locals {
  engine_version = "vvr-8.0.9-flink-1.17"
  fast_checkpoints = {
    interval = "2s"
    retained = 2
  }
}

# A running job with scheduled snapshots and a cleanup rule.
resource "flink_deployment" "orders" {
  namespace_id   = flink_namespace.prod.id
  name           = "orders-enrichment"
  type           = "SQL"
  engine_version = local.engine_version
  sql            = "INSERT INTO enriched_orders SELECT o.*, c.tier FROM orders o JOIN customers c ON o.cid = c.id"
  flink_configuration = {
    "local.state-bytes"         = "4mb"
    "state.backend.incremental" = "true"
    "table.exec.state.ttl"      = "36h"
  }
  checkpoint    = local.fast_checkpoints
  desired_state = "RUNNING"
}

resource "flink_snapshot_policy" "orders" {
  deployment_id = flink_deployment.orders.id
  schedule = {
    enabled   = true
    cron      = "0 */6 * * *"
    time_zone = "Asia/Shanghai"
  }
  cleanup = {
    enabled    = true
    keep_count = 4
    max_age    = "168h"
  }
}

# A running job with a manual snapshot.
resource "flink_deployment" "payments" {
  namespace_id   = flink_namespace.prod.id
  name           = "payments-aggregation"
  type           = "SQL"
  engine_version = local.engine_version
  sql            = "INSERT INTO payment_totals SELECT merchant, SUM(amount) FROM payments GROUP BY merchant"
  flink_configuration = {
    "local.state-bytes" = "2mb"
  }
  checkpoint    = local.fast_checkpoints
  desired_state = "RUNNING"
}

resource "flink_job_snapshot" "payments_before_upgrade" {
  deployment_id = flink_deployment.payments.id
  format        = "CANONICAL"
  description   = "before the schema upgrade"
}

# A stopped job: cloned without state.
resource "flink_deployment" "reports" {
  namespace_id   = flink_namespace.prod.id
  name           = "nightly-reports"
  type           = "SQL"
  engine_version = local.engine_version
  sql            = "INSERT INTO reports SELECT day, COUNT(*) FROM orders GROUP BY day"
  desired_state  = "STOPPED"
}

# Back up prod into backup, with state; running jobs are snapshotted first.
resource "flink_namespace_clone" "backup" {
  source_namespace_id = flink_namespace.prod.id
  target_namespace_id = flink_namespace.backup.id
  objects             = ["variables", "deployments"]
  state_policy        = "STATEFUL"
  running_policy      = "DO_NOT_SKIP"
  error_policy        = "SKIP_AND_CONTINUE"

  # Clone once everything to copy exists.
  depends_on = [
    flink_variable.brokers,
    flink_variable.password,
    flink_variable.backup_brokers,
    flink_snapshot_policy.orders,
    flink_job_snapshot.payments_before_upgrade,
    flink_deployment.reports,
  ]
}

data "flink_clone_history" "backup" {
  namespace_id = flink_namespace.backup.id
  depends_on   = [flink_namespace_clone.backup]
}

data "flink_clone_renames" "backup" {
  clone_id = flink_namespace_clone.backup.id
}

data "flink_job_state_sets" "payments" {
  deployment_id = flink_deployment.payments.id
  # Read after the clone, which snapshots the running job first (DO_NOT_SKIP).
  depends_on = [flink_namespace_clone.backup]
}

# The copy of the payments job in the backup namespace, stopped, with its state copied as a snapshot.
data "flink_deployment" "payments_copy" {
  namespace_id = flink_namespace.backup.id
  name         = flink_deployment.payments.name
  depends_on   = [flink_namespace_clone.backup]
}

data "flink_job_state_sets" "payments_copy" {
  deployment_id = data.flink_deployment.payments_copy.id
}
