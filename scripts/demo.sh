#!/usr/bin/env bash
# make demo: start flink-engine on loopback with a fresh data dir and its embedded defaults, apply
# examples/quickstart with Terraform through a dev_overrides CLI config, print the outputs, stop the engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
terraform=${TERRAFORM:-$(command -v terraform || true)}
[ -x "$terraform" ] || { echo "demo: Terraform not found; run it through 'make demo', which builds it" >&2; exit 1; }
demo="$root/.demo"
rm -rf "$demo"
mkdir -p "$demo/work"
cp "$root"/examples/quickstart/*.tf "$demo/work/"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18480)
export FLINK_ENGINE_ADMIN_TOKEN="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$root/bin/flink-engine" serve --listen "127.0.0.1:$port" --data-dir "$demo/engine" >"$demo/engine.log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null; wait $engine 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$demo/engine.log"; echo "demo: flink-engine did not start" >&2; exit 1; }
echo "flink-engine is listening on 127.0.0.1:$port (data dir $demo/engine, log $demo/engine.log)"

cat >"$demo/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/streamstate/flink" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$demo/terraformrc" CHECKPOINT_DISABLE=1
export FLINK_ENDPOINT="http://127.0.0.1:$port" FLINK_TOKEN="$FLINK_ENGINE_ADMIN_TOKEN"
cd "$demo/work"
"$terraform" apply -auto-approve -input=false -no-color
echo
echo "=== outputs ==="
"$terraform" output -no-color
echo
echo "The engine stops now; its data stays in $demo/engine. Run 'make demo' again for a fresh start."
