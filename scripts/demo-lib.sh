# Shared by demo.sh and demo-flink.sh: start flink-engine on loopback and point Terraform at the
# freshly built provider. Source it; it uses $root and $demo.

# start_engine starts bin/flink-engine with a data dir under $demo and waits until it is ready; it sets
# $port, $engine (the pid) and the provider's FLINK_ENDPOINT and FLINK_TOKEN.
start_engine() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18480)
  export FLINK_ENGINE_ADMIN_TOKEN="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  "$root/bin/flink-engine" serve --listen "127.0.0.1:$port" --data-dir "$demo/engine" >"$demo/engine.log" 2>&1 &
  engine=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$demo/engine.log"; echo "demo: flink-engine did not start" >&2; exit 1; }
  echo "flink-engine is listening on 127.0.0.1:$port (data dir $demo/engine, log $demo/engine.log)"
  export FLINK_ENDPOINT="http://127.0.0.1:$port" FLINK_TOKEN="$FLINK_ENGINE_ADMIN_TOKEN"
}

# use_built_provider makes Terraform use bin/terraform-provider-flink through dev_overrides.
use_built_provider() {
  cat >"$demo/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/streamstate/flink" = "$root/bin"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE="$demo/terraformrc" CHECKPOINT_DISABLE=1
}
