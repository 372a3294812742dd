# Flink quickstart: a SQL job running on a real Apache Flink session cluster, a job snapshot, a snapshot
# policy, and a STATEFUL clone into a second namespace. A second apply with start_copy = true imports the
# clone's copy of the job and starts it from the copied savepoint, on the same cluster.
terraform {
  required_version = ">= 1.7" # import blocks with for_each
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
  name          = "flink-quickstart"
  region        = "local"
  clone_enabled = true
  runtime = {
    type            = "flink"
    rest_url        = var.flink_rest_url
    sql_gateway_url = var.flink_sql_gateway_url
  }
}

resource "flink_namespace" "prod" {
  workspace_id = flink_workspace.main.id
  name         = "prod"
}

resource "flink_namespace" "backup" {
  workspace_id = flink_workspace.main.id
  name         = "backup"
  # The clone fills this namespace with objects this configuration does not manage.
  force_destroy = true
}

locals {
  # The job's name, also the copy's: the data source below names it through this local, not through
  # flink_deployment.orders, so it is read at plan time even when the second apply changes orders.
  job_name = "order-counts"
  # A sequence counted per key: the counts are the job's keyed state, printed to the TaskManager's stdout.
  counting_sql = <<-SQL
    CREATE TEMPORARY TABLE orders (seq BIGINT) WITH (
      'connector' = 'datagen', 'fields.seq.kind' = 'sequence',
      'fields.seq.start' = '1', 'fields.seq.end' = '100000', 'rows-per-second' = '10');
    CREATE TEMPORARY TABLE order_counts (shard BIGINT, orders BIGINT)
      WITH ('connector' = 'print', 'print-identifier' = 'order-counts');
    INSERT INTO order_counts SELECT seq % 4, COUNT(*) FROM orders GROUP BY seq % 4;
  SQL
  flink_configuration = {
    "table.exec.state.ttl" = "36 h"
  }
  checkpoint = {
    interval = "5s"
    retained = 2
  }
}

resource "flink_deployment" "orders" {
  namespace_id        = flink_namespace.prod.id
  name                = local.job_name
  engine_version      = var.engine_version
  sql                 = local.counting_sql
  flink_configuration = local.flink_configuration
  checkpoint          = local.checkpoint
  # Once the copy takes over (second apply), the original stops: a migration.
  desired_state = var.start_copy ? "STOPPED" : "RUNNING"
}

resource "flink_job_snapshot" "orders" {
  deployment_id = flink_deployment.orders.id
  format        = "CANONICAL"
  description   = "taken by the Flink quickstart"
}

resource "flink_snapshot_policy" "orders" {
  deployment_id = flink_deployment.orders.id
  schedule = {
    enabled   = true
    cron      = "0 */6 * * *"
    time_zone = "UTC"
  }
  cleanup = {
    enabled    = true
    keep_count = 4
    max_age    = "168h"
  }
}

# Copy prod into backup with state: the running job is snapshotted first (DO_NOT_SKIP), and the copy
# restores from that savepoint.
resource "flink_namespace_clone" "backup" {
  source_namespace_id = flink_namespace.prod.id
  target_namespace_id = flink_namespace.backup.id
  objects             = ["deployments"]
  state_policy        = "STATEFUL"
  running_policy      = "DO_NOT_SKIP"
  error_policy        = "STOP"

  depends_on = [flink_job_snapshot.orders, flink_snapshot_policy.orders]
}

# Second apply (start_copy = true): adopt the clone's copy and run it from the copied savepoint.
data "flink_deployment" "copy" {
  count        = var.start_copy ? 1 : 0
  namespace_id = flink_namespace.backup.id
  name         = local.job_name
}

import {
  for_each = { for d in data.flink_deployment.copy : d.name => d.id } # none on the first apply
  to       = flink_deployment.copy[0]
  id       = each.value
}

resource "flink_deployment" "copy" {
  count               = var.start_copy ? 1 : 0
  namespace_id        = flink_namespace.backup.id
  name                = local.job_name
  engine_version      = var.engine_version
  sql                 = local.counting_sql
  flink_configuration = local.flink_configuration
  checkpoint          = local.checkpoint
  desired_state       = "RUNNING"
  # LATEST_STATE falls back to the deployment's restore point: the savepoint the clone copied.
  restore = {
    kind = "LATEST_STATE"
  }
  # The original stops first, so only the copy prints afterwards.
  depends_on = [flink_deployment.orders]
}
