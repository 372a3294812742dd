#!/usr/bin/env bash
# Builds OpenTofu from its Go module. Its go.mod carries replace directives, so `go install` refuses it:
# download the module, copy it somewhere writable and build there.
set -euo pipefail
version=${1:?usage: build-tofu.sh VERSION OUTDIR}
out=${2:?usage: build-tofu.sh VERSION OUTDIR}
dir=$(go mod download -json "github.com/opentofu/opentofu@v${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "could not download github.com/opentofu/opentofu@v${version}" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$dir/." "$work/"
chmod -R u+w "$work"
mkdir -p "$out"
(cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$out/tofu" ./cmd/tofu)
"$out/tofu" version | head -1
