package flink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// Savepoint polling is tight for the first seconds (a small job's savepoint completes in tens of
// milliseconds, and a status request costs Flink little) and backs off for big ones.
const (
	savepointPollMin  = 10 * time.Millisecond
	savepointPollMax  = time.Second
	savepointPollFast = 2 * time.Second
)

// Savepoint triggers a savepoint of a running job into target.Storage.Location(target.Prefix) and waits
// for it. Flink creates a savepoint-<id> directory there; Result.Prefix is its key and SizeBytes the sum
// of the files under it.
func (r *Runtime) Savepoint(ctx context.Context, jobID string, target runtime.SavepointTarget) (runtime.SavepointResult, error) {
	j := r.watch.get(jobID)
	if j == nil {
		return runtime.SavepointResult{}, r.errNotWatched(jobID)
	}
	format, err := savepointFormat(target)
	if err != nil {
		return runtime.SavepointResult{}, fmt.Errorf("flink runtime: savepoint of job %s: %w", jobID, err)
	}
	began := time.Now()
	trigger, err := r.jm.triggerSavepoint(ctx, j.flinkID, savepointTriggerRequest{
		TargetDirectory: target.Storage.Location(target.Prefix), CancelJob: false, FormatType: format})
	if err != nil {
		return runtime.SavepointResult{}, fmt.Errorf("flink runtime: savepoint of job %s (Flink job %s): %w", jobID, j.flinkID, notRunning(err))
	}
	loc, err := r.awaitSavepoint(ctx, j.flinkID, trigger)
	if err != nil {
		return runtime.SavepointResult{}, fmt.Errorf("flink runtime: savepoint of job %s (Flink job %s): %w", jobID, j.flinkID, err)
	}
	res, err := savepointResult(ctx, target.Storage, loc)
	res.Duration = time.Since(began)
	if err != nil {
		return res, fmt.Errorf("flink runtime: savepoint of job %s: %w", jobID, err)
	}
	return res, nil
}

func savepointFormat(target runtime.SavepointTarget) (string, error) {
	if target.Storage == nil {
		return "", errors.New("the savepoint target has no Storage")
	}
	switch f := strings.ToUpper(target.Format); f {
	case "":
		return api.FormatCanonical, nil
	case api.FormatCanonical, "NATIVE":
		return f, nil
	default:
		return "", fmt.Errorf("savepoint format %q: want CANONICAL or NATIVE", target.Format)
	}
}

// notRunning words Flink's refusal to savepoint a job that is not running.
func notRunning(err error) error {
	if isStatus(err, http.StatusNotFound) {
		return fmt.Errorf("the cluster has no such job: %w", err)
	}
	return err
}

// awaitSavepoint polls a savepoint (or stop) trigger until Flink says COMPLETED, and returns the location
// or Flink's failure's root cause.
func (r *Runtime) awaitSavepoint(ctx context.Context, flinkID, trigger string) (string, error) {
	delay, began := savepointPollMin, time.Now()
	for {
		st, err := r.jm.savepointStatus(ctx, flinkID, trigger)
		if err != nil {
			return "", err
		}
		if st.Status.ID == "COMPLETED" {
			switch op := st.Operation; {
			case op == nil:
				return "", errors.New("Flink reported the savepoint completed without a result")
			case op.FailureCause != nil:
				return "", fmt.Errorf("Flink could not take the savepoint: %s", rootCause(op.FailureCause.StackTrace))
			case op.Location == "":
				return "", errors.New("Flink reported the savepoint completed without a location")
			default:
				return op.Location, nil
			}
		}
		if err := sleep(ctx, delay); err != nil {
			return "", err
		}
		if time.Since(began) > savepointPollFast {
			delay = min(delay*3/2, savepointPollMax)
		}
	}
}

// savepointResult describes a savepoint Flink wrote at loc: its key in store and the bytes under it.
func savepointResult(ctx context.Context, store blob.Store, loc string) (runtime.SavepointResult, error) {
	key, err := keyFor(store, loc)
	if err != nil {
		return runtime.SavepointResult{}, err
	}
	var size int64
	hasMeta := false
	err = store.List(ctx, strings.TrimSuffix(key, "/")+"/", func(info blob.Info) error {
		size += info.Size
		if strings.HasSuffix(info.Key, "/"+runtime.MetadataFile) {
			hasMeta = true
		}
		return nil
	})
	if err != nil {
		return runtime.SavepointResult{Prefix: key}, fmt.Errorf("size the savepoint at %s: %w", loc, err)
	}
	if !hasMeta {
		return runtime.SavepointResult{Prefix: key}, fmt.Errorf("%w: Flink reported the savepoint at %s but the storage holds no %s there; does the cluster write to the same filesystem or bucket as the engine reads?",
			runtime.ErrCorruptState, loc, runtime.MetadataFile)
	}
	return runtime.SavepointResult{Prefix: key, SizeBytes: size}, nil
}

// Stop ends a job: NONE cancels it (PATCH /jobs/{id}?mode=cancel); STOP_WITH_SAVEPOINT takes a savepoint
// into target and stops (POST /jobs/{id}/stop, drain=false) and ends CANCELLED; STOP_WITH_DRAIN drains the
// sources first and ends FINISHED (its savepoint goes to target, or is deleted when target is nil). The
// final status is reported through Events before Stop returns.
func (r *Runtime) Stop(ctx context.Context, jobID, strategy string, target *runtime.SavepointTarget) (*runtime.SavepointResult, error) {
	j := r.watch.get(jobID)
	if j == nil {
		return nil, r.errNotWatched(jobID)
	}
	switch strategy {
	case api.StopNone, "":
		if err := r.jm.cancel(ctx, j.flinkID); err != nil && !isStatus(err, http.StatusNotFound) {
			return nil, fmt.Errorf("flink runtime: cancel job %s (Flink job %s): %w", jobID, j.flinkID, err)
		}
		return nil, r.awaitEnd(ctx, j)
	case api.StopWithSavepoint, api.StopWithDrain:
	default:
		return nil, fmt.Errorf("flink runtime: stop job %s: unknown stop strategy %q; want NONE, STOP_WITH_SAVEPOINT or STOP_WITH_DRAIN", jobID, strategy)
	}
	drain := strategy == api.StopWithDrain
	if target == nil && !drain {
		return nil, fmt.Errorf("flink runtime: stop job %s with a savepoint: no savepoint target given", jobID)
	}
	t := runtime.SavepointTarget{Storage: j.spec.Storage, Prefix: joinKey(j.spec.CheckpointPrefix, "drain-savepoints")}
	if target != nil {
		t = *target
	}
	format, err := savepointFormat(t)
	if err != nil {
		return nil, fmt.Errorf("flink runtime: stop job %s: %w", jobID, err)
	}
	final := api.JobCancelled
	if drain {
		final = api.JobFinished
	}
	j.mu.Lock()
	j.finalStatus = final // Flink ends a stopped job FINISHED either way
	j.mu.Unlock()
	began := time.Now()
	trigger, err := r.jm.stopWithSavepoint(ctx, j.flinkID, stopWithSavepointRequest{
		TargetDirectory: t.Storage.Location(t.Prefix), Drain: drain, FormatType: format})
	if err == nil {
		var loc string
		if loc, err = r.awaitSavepoint(ctx, j.flinkID, trigger); err == nil {
			res, rerr := savepointResult(ctx, t.Storage, loc)
			res.Duration = time.Since(began)
			if err := r.awaitEnd(ctx, j); err != nil {
				return nil, err
			}
			if target == nil {
				// Nobody asked to keep it.
				_ = t.Storage.DeletePrefix(context.WithoutCancel(ctx), res.Prefix+"/")
				return nil, nil
			}
			if rerr != nil {
				return nil, fmt.Errorf("flink runtime: stop job %s: %w", jobID, rerr)
			}
			return &res, nil
		}
	}
	j.mu.Lock()
	j.finalStatus = "" // the job keeps running: a later end is Flink's own
	j.mu.Unlock()
	return nil, fmt.Errorf("flink runtime: stop job %s (Flink job %s) with a savepoint: %w; the job keeps running", jobID, j.flinkID, notRunning(err))
}

// awaitEnd observes a job until Flink reports a terminal state (and the watcher reported it).
func (r *Runtime) awaitEnd(ctx context.Context, j *watchedJob) error {
	for {
		state, err := r.watch.refresh(ctx, j)
		if err != nil {
			if isStatus(err, http.StatusNotFound) {
				return nil
			}
			return fmt.Errorf("flink runtime: stop job %s: waiting for Flink job %s to end: %w", j.spec.JobID, j.flinkID, err)
		}
		if terminal(state) {
			return nil
		}
		if err := sleep(ctx, startPoll); err != nil {
			return fmt.Errorf("flink runtime: stop job %s: waiting for Flink job %s to end (last state %s): %w", j.spec.JobID, j.flinkID, state, err)
		}
	}
}

// joinKey joins a key prefix and a name with one slash.
func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return strings.TrimSuffix(prefix, "/") + "/" + name
}
