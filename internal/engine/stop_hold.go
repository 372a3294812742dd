package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// stopHolds keeps back the end of a job that is being stopped with a savepoint until the stop has
// recorded its snapshot. A runtime reports the job's end as soon as it sees it (the local runtime from
// inside Stop, Flink's watcher when Flink lists the job FINISHED), which is before Stop has returned the
// savepoint; recorded at once, the job read CANCELLED while the stop's snapshot still read STARTED, and
// a LATEST_STATE start or a stateful clone in that window went back to older state.
//
// The hold is in memory, in the process that runs the stop. With replicas, the stop may run on another
// replica than the one that watches the job and gets its reports (a Flink job is stopped through the
// cluster's REST API from any replica): the watcher then finds the stop's STARTED snapshot in the store
// and records the end once that snapshot has ended (recordAfterStopSavepoint). An engine that dies during
// the stop loses the held report with the stop itself: the job is then what the restart's recovery of an
// active (CANCELLING) job makes of it.
type stopHolds struct {
	mu   sync.Mutex
	jobs map[string]*runtime.JobStatus // job id -> its held end (nil: not reported yet)
}

// begin marks a job as being stopped with a savepoint.
func (h *stopHolds) begin(jobID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.jobs == nil {
		h.jobs = map[string]*runtime.JobStatus{}
	}
	h.jobs[jobID] = nil
}

// hold keeps s, a job's end, when the job is being stopped; it reports whether it did.
func (h *stopHolds) hold(jobID string, s runtime.JobStatus) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, stopping := h.jobs[jobID]; !stopping {
		return false
	}
	h.jobs[jobID] = &s
	return true
}

// end unmarks a job and returns its held end, if one was reported meanwhile.
func (h *stopHolds) end(jobID string) *runtime.JobStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	held := h.jobs[jobID]
	delete(h.jobs, jobID)
	return held
}

// stopSavepointWait bounds how long a job's end waits for a stop's savepoint that another replica
// records: the savepoint is complete on the cluster when the job ends, so only its recording is left; a
// replica that died meanwhile must not leave the job CANCELLING forever.
const stopSavepointWait = 2 * time.Minute

// stopWithSavepointOf returns the snapshot of a stop with savepoint of the job while the job is being
// stopped (CANCELLING), a STARTED one first.
func (e *Engine) stopWithSavepointOf(jobID string) (api.Snapshot, bool) {
	var stop api.Snapshot
	var found bool
	err := e.store.View(e.eventCtx(jobID), func(tx store.Tx) error {
		var job api.Job
		if err := tx.Get(store.Jobs, jobID, &job); err != nil || job.Status != api.JobCancelling {
			return err
		}
		var snaps []api.Snapshot
		if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"deployment_id": job.DeploymentID, "job_id": jobID,
			"origin": api.OriginStopWithSavepoint}}, &snaps); err != nil {
			return err
		}
		for _, s := range snaps {
			if !found || s.Status == api.SnapshotStarted {
				stop, found = s, true
			}
		}
		return nil
	})
	if err != nil {
		e.log.Error("look for a stop with savepoint", "job", jobID, "err", err)
	}
	return stop, found
}

// recordAfterStopSavepoint records a job's end once the stop's snapshot snapID is no longer STARTED (or
// stopSavepointWait has passed), in the background: the report came from the runtime's watcher.
func (e *Engine) recordAfterStopSavepoint(jobID, snapID string, s runtime.JobStatus) {
	e.goBackground(func(ctx context.Context) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		deadline := time.NewTimer(stopSavepointWait)
		defer deadline.Stop()
		for {
			select {
			case <-ctx.Done():
				return // the restart's recovery of the CANCELLING job records its end
			case <-deadline.C:
				e.log.Warn("the stop's savepoint was not recorded in time: recording the job's end without it",
					"job", jobID, "snapshot", snapID, "waited", stopSavepointWait.String())
				e.recordJobStatus(jobID, s)
				return
			case <-tick.C:
			}
			var snap api.Snapshot
			err := e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Snapshots, snapID, &snap) })
			if errors.Is(err, store.ErrNotFound) || (err == nil && snap.Status != api.SnapshotStarted) {
				e.recordJobStatus(jobID, s)
				return
			}
		}
	})
}
