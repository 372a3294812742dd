package engine

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// SetCloneItemHook makes fn run before the clone executor processes each item, with the executor's
// context (cancelled when the engine closes). Tests use it to hold a clone in RUNNING at a known point;
// set it before Start (enginetest.Options.Configure).
func (e *Engine) SetCloneItemHook(fn func(context.Context, api.CloneItem)) { e.cloneItemHook = fn }

// FireWithStalePolicy reproduces the scheduler's race: it reads depID's snapshot policy, runs between
// (which changes or deletes the policy), then fires the schedule with the policy as first read, as
// process does when a change lands between its read and its fire. It returns the recorded fire time.
func (e *Engine) FireWithStalePolicy(ctx context.Context, depID string, between func()) (time.Time, error) {
	var rec policyRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if rec, ok, err = loadPolicy(tx, depID); err == nil && !ok {
			err = fmt.Errorf("deployment %s has no snapshot policy", depID)
		}
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	between()
	now := e.now()
	return e.fireSchedule(ctx, rec, now, now), nil
}

// StateCapable reports whether an engine version can clone state (VVR 6.0.2 or later).
var StateCapable = stateCapable

// OpenFileResourceJar opens the bytes a JAR deployment whose jar.uri is id would run.
func (e *Engine) OpenFileResourceJar(ctx context.Context, nsID, id string) (io.ReadCloser, error) {
	return e.openFileResource(ctx, nsID, id, &runtime.JarProgram{})
}
