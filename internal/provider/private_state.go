package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// The engine's version of a thing rides in private state: it moves on every change, so a computed
// attribute would show up as "known after apply" in every plan, and users never set it.
const privateVersionKey = "version"

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// readVersion returns the version kept in private state, 0 when none (0 makes the engine skip the check).
func readVersion(ctx context.Context, p privateGetter) (int64, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateVersionKey)
	if diags.HasError() || len(raw) == 0 {
		return 0, diags
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, diags
	}
	return v, diags
}

// writeVersion keeps the engine's current version of a thing in private state.
func writeVersion(ctx context.Context, p privateSetter, version int64) diag.Diagnostics {
	return p.SetKey(ctx, privateVersionKey, []byte(strconv.FormatInt(version, 10)))
}
