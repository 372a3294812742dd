package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// A wait that runs out says which timeout ran out and how to raise it: "context deadline exceeded"
// alone does not tell a user that `timeouts { create = ... }` exists.

type timeoutLimitKey struct{}

type timeoutLimit struct {
	attr string // timeouts.create, timeouts.update or timeouts.delete
	d    time.Duration
}

// withNamedTimeout bounds ctx by the resource's timeout attr (e.g. "timeouts.create") and remembers
// which one it is, for addTimedError.
func withNamedTimeout(ctx context.Context, attr string, d time.Duration) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, timeoutLimitKey{}, timeoutLimit{attr: attr, d: d})
	return context.WithTimeout(ctx, d)
}

// addTimedError is addClientError for a call made under withNamedTimeout: a deadline names its timeout.
func addTimedError(ctx context.Context, diags *diag.Diagnostics, what string, err error) {
	limit, ok := ctx.Value(timeoutLimitKey{}).(timeoutLimit)
	if !ok || !errors.Is(err, context.DeadlineExceeded) {
		addClientError(diags, what, err)
		return
	}
	diags.AddError(what+": "+limit.attr+" ran out", fmt.Sprintf("%s (%s) ran out before the engine finished: %v. "+
		"The engine goes on with what it started. Give it more time in the resource's timeouts block, for example "+
		"timeouts { %s = \"%s\" }, then apply again.", limit.attr, shortDuration(limit.d), err,
		strings.TrimPrefix(limit.attr, "timeouts."), shortDuration(max(2*limit.d, 30*time.Minute))))
}

// addStartError reports a failed start. A start refused because of the restore source it was given (a
// snapshot or checkpoint that is missing, not COMPLETED, or of an incompatible job layout) points at that
// attribute, restore.snapshot_id or restore.checkpoint_id.
func addStartError(ctx context.Context, diags *diag.Diagnostics, what string, start api.StartRequest, err error) {
	attr := ""
	switch start.RestoreStrategy {
	case api.RestoreFromSavepoint:
		attr = "snapshot_id"
	case api.RestoreFromCheckpoint:
		attr = "checkpoint_id"
	}
	e, isEngine := client.AsError(err)
	if attr == "" || !isEngine || (e.Code != api.CodeNotFound && e.Code != api.CodeConflict &&
		e.Code != api.CodeIncompatibleState && e.Code != api.CodeInvalidArgument) {
		addTimedError(ctx, diags, what, err)
		return
	}
	diags.AddAttributeError(path.Root("restore").AtName(attr), what+": the start refused restore."+attr,
		explain(err)+" Point restore."+attr+" at a COMPLETED "+map[string]string{"snapshot_id": "snapshot of a compatible job " +
			"(or set restore.allow_non_restored_state = true to drop the state that does not map)",
			"checkpoint_id": "retained checkpoint of this deployment"}[attr]+", or choose another restore.kind.")
}

// withTimeout bounds ctx by a resource's timeout without naming it; prefer withNamedTimeout, whose
// deadline errors (addTimedError) say which timeouts key ran out.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
