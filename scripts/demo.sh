#!/usr/bin/env bash
# make demo: start flink-engine on loopback with a fresh data dir and its embedded defaults (the local
# runtime: a simulation of streaming jobs that writes real state files, no Java needed), apply
# examples/quickstart with Terraform through a dev_overrides CLI config, print the outputs, stop the engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
terraform=${TERRAFORM:-$(command -v terraform || true)}
[ -x "$terraform" ] || { echo "demo: Terraform not found; run it through 'make demo', which builds it" >&2; exit 1; }
demo="$root/.demo"
rm -rf "$demo"
mkdir -p "$demo/work"
cp "$root"/examples/quickstart/*.tf "$demo/work/"
. "$root/scripts/demo-lib.sh"

start_engine
trap 'kill $engine 2>/dev/null; wait $engine 2>/dev/null || true' EXIT
echo "Jobs run on the engine's local runtime: a simulation (no SQL or JAR runs; checkpoints and snapshots are real files). 'make demo-flink' runs them on Apache Flink."
use_built_provider
cd "$demo/work"
"$terraform" apply -auto-approve -input=false -no-color
echo
echo "=== outputs ==="
"$terraform" output -no-color
echo
echo "The engine stops now; its data stays in $demo/engine. Run 'make demo' again for a fresh start."
