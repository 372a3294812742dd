package engine

import (
	"context"
	"errors"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// A job stopped with a savepoint must read CANCELLED only once the stop's snapshot is recorded. A runtime
// reports the job's end as soon as it sees it (the local runtime from inside Stop, Flink's watcher when
// Flink lists the job FINISHED), before the stop has the savepoint back; recorded at once, the job read
// CANCELLED while the stop's snapshot still read STARTED, and a LATEST_STATE start or a stateful clone in
// that window went back to older state. So the end of a job whose stop's snapshot is STARTED is recorded
// once that snapshot has ended. The snapshot is in the store, so this holds when the stop runs on another
// replica than the one that watches the job (a Flink job is stopped through the cluster's REST API from
// any replica). An engine that dies meanwhile loses the waiting report: the job is then what the
// restart's (or the new owner's) recovery of an active (CANCELLING) job makes of it.

// stopSavepointWait bounds how long a job's end waits for its stop's savepoint to be recorded: the
// savepoint is complete when the job ends, so only its recording is left; a stopping replica that died
// meanwhile must not leave the job CANCELLING forever.
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
