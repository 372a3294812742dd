package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Poll calls check until it reports done or fails, waiting between calls with exponential backoff
// (Config.PollMin doubling up to Config.PollMax, with jitter). It stops with the context's error when ctx
// ends first; give ctx the deadline the caller is willing to wait (the resource's timeouts).
func (c *Client) Poll(ctx context.Context, check func(ctx context.Context) (done bool, err error)) error {
	wait := c.cfg.PollMin
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		// Up to 20% jitter keeps many waiters from polling in lockstep.
		d := wait + time.Duration(rand.Int64N(int64(wait)/5+1))
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
		wait = min(wait*2, c.cfg.PollMax)
	}
}

// waitErr explains a waiter that ran out of time, naming what it waited for and the last thing it saw.
func waitErr(err error, what, last string) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("gave up waiting for %s (last seen: %s): %w", what, last, err)
	}
	return err
}

var jobTerminal = []string{api.JobCancelled, api.JobFailed, api.JobFinished}

// WaitForJobStatus waits until a deployment's latest job has one of statuses and returns it. It fails
// early when the job settles in a terminal status that was not asked for (FAILED while waiting for
// RUNNING, say), with the job's failure message.
func (c *Client) WaitForJobStatus(ctx context.Context, deploymentID string, statuses ...string) (api.Job, error) {
	var job api.Job
	last := "no job yet"
	err := c.Poll(ctx, func(ctx context.Context) (bool, error) {
		j, err := c.GetJob(ctx, deploymentID)
		if IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		job, last = j, j.Status
		if slices.Contains(statuses, j.Status) {
			return true, nil
		}
		if slices.Contains(jobTerminal, j.Status) {
			return false, fmt.Errorf("job %s of deployment %s is %s, not %s%s",
				j.ID, deploymentID, j.Status, strings.Join(statuses, " or "), failureSuffix(j.Failure))
		}
		return false, nil
	})
	return job, waitErr(err, "deployment "+deploymentID+" job status "+strings.Join(statuses, "|"), last)
}

// WaitForSnapshot waits until a snapshot is COMPLETED or FAILED and returns it. A FAILED snapshot is
// returned together with an error carrying its failure message.
func (c *Client) WaitForSnapshot(ctx context.Context, id string) (api.Snapshot, error) {
	var snap api.Snapshot
	last := "not read yet"
	err := c.Poll(ctx, func(ctx context.Context) (bool, error) {
		s, err := c.GetSnapshot(ctx, id)
		if err != nil {
			return false, err
		}
		snap, last = s, s.Status
		return s.Status == api.SnapshotCompleted || s.Status == api.SnapshotFailed, nil
	})
	if err == nil && snap.Status == api.SnapshotFailed {
		return snap, fmt.Errorf("snapshot %s failed%s", id, failureSuffix(snap.Failure))
	}
	return snap, waitErr(err, "snapshot "+id+" to complete", last)
}

// WaitForSnapshotDeleted waits until a snapshot is gone (not_found). A FAILED_DELETION status is an error.
func (c *Client) WaitForSnapshotDeleted(ctx context.Context, id string) error {
	last := "not read yet"
	err := c.Poll(ctx, func(ctx context.Context) (bool, error) {
		s, err := c.GetSnapshot(ctx, id)
		if IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		last = s.Status
		if s.Status == api.SnapshotFailedDeletion {
			return false, fmt.Errorf("snapshot %s could not be deleted%s", id, failureSuffix(s.Failure))
		}
		return false, nil
	})
	return waitErr(err, "snapshot "+id+" to be deleted", last)
}

// CloneTerminal reports whether a clone status is final.
func CloneTerminal(status string) bool {
	switch status {
	case api.CloneSucceeded, api.ClonePartiallySucceeded, api.CloneFailed, api.CloneCancelled:
		return true
	}
	return false
}

// WaitForClone waits until a clone reaches a final status and returns it; progress, when not nil, sees
// every state read on the way. Any final status (FAILED included) is returned without error: the clone's
// history is the outcome, and the caller decides what a failure means.
func (c *Client) WaitForClone(ctx context.Context, id string, progress func(api.Clone)) (api.Clone, error) {
	var clone api.Clone
	last := "not read yet"
	err := c.Poll(ctx, func(ctx context.Context) (bool, error) {
		cl, err := c.GetClone(ctx, id)
		if err != nil {
			return false, err
		}
		clone = cl
		last = fmt.Sprintf("%s, %d%%", cl.Status, cl.Progress.Percent)
		if progress != nil {
			progress(cl)
		}
		return CloneTerminal(cl.Status), nil
	})
	return clone, waitErr(err, "clone "+id+" to finish", last)
}

func failureSuffix(failure string) string {
	if failure == "" {
		return ""
	}
	return ": " + failure
}
