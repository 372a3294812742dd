package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// A clone is a one-shot act: running it twice duplicates every object in the target. Terraform taints a
// resource whose create returns an error, and the next apply replaces a tainted resource, so a create
// that stops waiting (timeouts.create ran out, Ctrl-C, the engine out of reach) must not fail: the clone goes on in the
// engine. Create records the clone in the state as it last saw it and warns instead; the next plan reads
// its progress and plans nothing.

// clonePostTimeout bounds the POST that starts a clone. The POST is not bound by timeouts.create or
// by an interrupt: once sent, the clone exists, and its id must reach the state.
const clonePostTimeout = 2 * time.Minute

// cloneRunning reports a clone that has not ended.
func cloneRunning(status string) bool {
	return status == api.ClonePending || status == api.CloneRunning
}

// warnCloneGoesOn is the diagnostic of a create that stopped waiting for clone c: why it stopped, that
// the clone goes on, and what the next plan does.
func warnCloneGoesOn(diags *diag.Diagnostics, waitErr error, timeout time.Duration, c api.Clone) {
	why := "reading its progress failed (" + waitErr.Error() + ")"
	switch {
	case errors.Is(waitErr, context.DeadlineExceeded):
		why = fmt.Sprintf("timeouts.create (%s) ran out", timeout)
	case errors.Is(waitErr, context.Canceled):
		why = "apply was interrupted"
	}
	diags.AddWarning("Clone "+c.ID+" goes on in the engine",
		fmt.Sprintf("Terraform stopped waiting for clone %s because %s; it was %s, %d%% done. The clone goes on in "+
			"the engine: it is recorded in the state with that status and is not tainted, so the next plan does "+
			"not start a second clone. It reads the clone's progress (status, counts, renames) and plans no "+
			"change. To stop the clone instead, destroy this resource: destroy cancels a running clone first and "+
			"keeps what it created unless delete_created_on_destroy = true.", c.ID, why, c.Status, c.Progress.Percent))
}

// warnCloneEnded reports, on the first read after it, how a clone that create stopped waiting for ended.
func warnCloneEnded(diags *diag.Diagnostics, priorStatus string, c api.Clone) {
	if !cloneRunning(priorStatus) || cloneRunning(c.Status) || c.Status == api.CloneSucceeded {
		return
	}
	diags.AddWarning("Clone "+c.ID+" ended "+c.Status,
		fmt.Sprintf("Clone %s, which apply stopped waiting for, ended %s%s: %d of %d objects failed. Objects "+
			"already cloned stay in the target; see data.flink_clone_history for each object's outcome.",
			c.ID, c.Status, failureText(c.Failure), c.FailedCount, c.TotalCount))
}
