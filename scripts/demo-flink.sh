#!/usr/bin/env bash
# make demo-flink: start a real Apache Flink session cluster from Maven Central's jars (JobManager,
# TaskManager, SQL Gateway) and flink-engine on loopback, apply examples/flink-quickstart (a SQL job on
# Flink, a snapshot, a snapshot policy, a STATEFUL clone), apply again to start the clone's copy from the
# copied savepoint, print the outputs and what the jobs printed, then stop everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
terraform=${TERRAFORM:-$(command -v terraform || true)}
[ -x "$terraform" ] || { echo "demo-flink: Terraform not found; run it through 'make demo-flink', which builds it" >&2; exit 1; }
demo="$root/.demo-flink"
rm -rf "$demo"
mkdir -p "$demo/work" "$demo/flink"
cp "$root"/examples/flink-quickstart/*.tf "$demo/work/"
. "$root/scripts/demo-lib.sh"

echo "Starting a Flink ${FLINK_VERSION:-1.20} session cluster (the first run downloads its jars from Maven Central)..."
"$root/bin/flink-cluster" --dir "$demo/flink" >"$demo/flink.env" 2>"$demo/flink.log" &
cluster=$!
trap 'kill ${engine:-} $cluster 2>/dev/null; wait ${engine:-} $cluster 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -s "$demo/flink/ready" ] && break
  kill -0 $cluster 2>/dev/null || { cat "$demo/flink.log"; echo "demo-flink: the Flink cluster did not start" >&2; exit 1; }
  sleep 1
done
# shellcheck disable=SC1091
. "$demo/flink/ready"
echo "Flink $FLINK_VERSION: REST $FLINK_REST_URL, SQL Gateway $FLINK_SQL_GATEWAY_URL"

start_engine
use_built_provider
export TF_VAR_flink_rest_url="$FLINK_REST_URL" TF_VAR_flink_sql_gateway_url="$FLINK_SQL_GATEWAY_URL"
export TF_VAR_engine_version="flink-$(echo "$FLINK_VERSION" | cut -d. -f1-2)"
cd "$demo/work"
"$terraform" apply -auto-approve -input=false -no-color
echo
echo "=== the original job's latest counts (shard, orders counted) ==="
grep 'order-counts> +U' "$FLINK_TASKMANAGER_STDOUT" | tail -4 || true
echo
echo "=== second apply: import the clone's copy, start it from the copied savepoint, stop the original ==="
"$terraform" apply -auto-approve -input=false -no-color -var start_copy=true
echo
echo "=== outputs ==="
"$terraform" output -no-color
echo
echo "=== the copy's latest counts on Flink (the original is stopped): they went on from the copied savepoint instead of starting at 1 ==="
sleep 5
grep 'order-counts> +U' "$FLINK_TASKMANAGER_STDOUT" | tail -4 || true
echo
echo "Stopping the engine and the Flink cluster; the engine's data stays in $demo/engine."
