package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

var _ runtime.Events = (*Engine)(nil)

// failedCheckpointsKept bounds the failed-checkpoint records kept per job (the overview needs the last).
const failedCheckpointsKept = 10

func chkDir(seq int64) string { return fmt.Sprintf("chk-%d/", seq) }

func checkpointID(jobID string, seq int64) string { return fmt.Sprintf("%s-chk-%d", jobID, seq) }

// JobStatusChanged records a job's new status on the job and on its deployment.
func (e *Engine) JobStatusChanged(jobID string, s runtime.JobStatus) {
	if e.eventCtx(jobID).Err() != nil {
		return // the engine is stopping, or another replica took the job: this report is not ours to record
	}
	if !jobActive(s.Status) {
		if stop, ok := e.stopWithSavepointOf(jobID); ok {
			// Flink lists a job stopped with a savepoint FINISHED, which the engine calls CANCELLED (a
			// stopping replica's runtime says so, a watching one cannot know); the stop may still be
			// recording the savepoint (see stop_hold.go). After a failed stop the job ran on: its end is
			// its own.
			if s.Status == api.JobFinished && stop.Status != api.SnapshotFailed {
				s.Status = api.JobCancelled
			}
			if stop.Status == api.SnapshotStarted {
				e.recordAfterStopSavepoint(jobID, stop.ID, s)
				return
			}
		}
	}
	e.recordJobStatus(jobID, s)
}

// recordJobStatus records a runtime's report of a job's status.
func (e *Engine) recordJobStatus(jobID string, s runtime.JobStatus) {
	var job api.Job
	err := e.store.Update(e.eventCtx(jobID), func(tx store.Tx) error {
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		if !jobActive(job.Status) && job.Status != s.Status {
			return nil // a late report about a job that already ended
		}
		if job.Status == s.Status && job.Failure == s.Failure && job.StatusMessage == s.Message {
			return nil // nothing new (a runtime that polls repeats itself)
		}
		job.Status, job.Failure, job.StatusMessage = s.Status, s.Failure, s.Message
		if s.Status == api.JobRunning {
			job.StartOffset = s.StartOffset
		}
		if !jobActive(s.Status) {
			now := e.now()
			job.EndedAt = &now
		}
		if err := putJob(tx, job); err != nil {
			return err
		}
		return setObjectStatus(tx, job.DeploymentID, s.Status)
	})
	if err != nil {
		e.log.Error("record job status", "job", jobID, "status", s.Status, "err", err)
		return
	}
	for _, fn := range e.jobListeners {
		fn(job)
	}
}

// CheckpointCompleted records a completed checkpoint and reports whether it is on record.
func (e *Engine) CheckpointCompleted(jobID string, cp runtime.CheckpointInfo) bool {
	return e.recordCheckpoint(jobID, cp, api.CheckpointCompleted)
}

// CheckpointFailed records a failed checkpoint, keeping the last few failures per job.
func (e *Engine) CheckpointFailed(jobID string, cp runtime.CheckpointInfo) {
	e.recordCheckpoint(jobID, cp, api.CheckpointFailed)
}

func (e *Engine) recordCheckpoint(jobID string, cp runtime.CheckpointInfo, status string) (recorded bool) {
	if e.eventCtx(jobID).Err() != nil {
		return false // the engine is stopping, or another replica took the job: this report is not ours to record
	}
	e.obs.CheckpointRecorded(status == api.CheckpointCompleted, cp.CompletedAt.Sub(cp.StartedAt))
	// The storage lookup reads the store itself: do it before the write transaction, not inside it.
	var location string
	if status == api.CheckpointCompleted {
		if st, err := e.jobStorage(jobID); err == nil {
			location = st.Location(cp.Prefix)
		}
	}
	var job api.Job
	var onFlink bool
	err := e.store.Update(e.eventCtx(jobID), func(tx store.Tx) error {
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		onFlink = e.onFlink(tx, job.NamespaceID)
		completed := cp.CompletedAt
		c := api.Checkpoint{ID: checkpointID(jobID, cp.Seq), DeploymentID: job.DeploymentID, JobID: jobID, Sequence: cp.Seq,
			Status: status, Failure: cp.Failure, Incremental: cp.Incremental, SizeBytes: cp.SizeBytes,
			FullSizeByte: cp.FullSizeBytes, Offset: cp.Offset, StartedAt: cp.StartedAt, CompletedAt: &completed,
			DurationMS: cp.CompletedAt.Sub(cp.StartedAt).Milliseconds(), Location: location}
		if status == api.CheckpointCompleted {
			c.StatePath = cp.Prefix
		}
		if err := tx.Put(store.Checkpoints, c.ID, store.Cols{"deployment_id": c.DeploymentID, "job_id": jobID,
			"status": status, "seq": c.Sequence}, c); err != nil {
			return err
		}
		if status != api.CheckpointFailed {
			return nil
		}
		var failed []api.Checkpoint
		if err := tx.List(store.Checkpoints, store.Query{Where: store.Cols{"job_id": jobID, "status": api.CheckpointFailed},
			OrderBy: "seq", Desc: true, Offset: failedCheckpointsKept}, &failed); err != nil {
			return err
		}
		for _, f := range failed {
			if err := tx.Delete(store.Checkpoints, f.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.log.Error("record checkpoint", "job", jobID, "seq", cp.Seq, "err", err)
		return false
	}
	if onFlink && status == api.CheckpointCompleted {
		// How many checkpoints Flink retains is the cluster's setting (execution.checkpointing.num-retained),
		// not the job's: list only those whose files are still there.
		e.forgetMissingCheckpoints(e.ctx, job)
	}
	return true
}

// jobStorage returns the storage of the namespace a job runs in.
func (e *Engine) jobStorage(jobID string) (blob.Store, error) {
	var job api.Job
	if err := e.store.View(e.ctx, func(tx store.Tx) error { return tx.Get(store.Jobs, jobID, &job) }); err != nil {
		return nil, err
	}
	return e.namespaceStorage(e.ctx, job.NamespaceID)
}

// CheckpointDiscarded forgets a checkpoint the runtime deleted (more than the retained count).
func (e *Engine) CheckpointDiscarded(jobID string, seq int64) {
	if e.eventCtx(jobID).Err() != nil {
		return // the engine is stopping, or another replica took the job: this report is not ours to record
	}
	// The local runtime may discard a checkpoint an earlier job of the deployment wrote (it adopts them on
	// a resume), so when this job has no such checkpoint the record is found by deployment and sequence.
	// Flink numbers checkpoints per job, so its own job's record is tried first.
	err := e.store.Update(e.eventCtx(jobID), func(tx store.Tx) error {
		var job api.Job
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		n, err := tx.DeleteWhere(store.Checkpoints, store.Cols{"job_id": jobID, "seq": seq, "status": api.CheckpointCompleted})
		if err != nil || n > 0 {
			return err
		}
		_, err = tx.DeleteWhere(store.Checkpoints, store.Cols{"deployment_id": job.DeploymentID, "seq": seq, "status": api.CheckpointCompleted})
		return err
	})
	if err != nil {
		e.log.Error("forget checkpoint", "job", jobID, "seq", seq, "err", err)
	}
}

// resumeJobs recovers the jobs that were active when the engine stopped. Jobs on a Flink cluster outlive
// the engine and are adopted by their Flink job id (never resubmitted); local jobs died with the process
// and are relaunched from their latest checkpoint (or the state they first started from).
func (e *Engine) resumeJobs(ctx context.Context) error {
	var jobs []api.Job
	err := e.store.View(ctx, func(tx store.Tx) error {
		for _, st := range []string{api.JobStarting, api.JobRunning, api.JobCancelling} {
			var js []api.Job
			if err := tx.List(store.Jobs, store.Query{Where: store.Cols{"status": st}}, &js); err != nil {
				return err
			}
			jobs = append(jobs, js...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, job := range jobs {
		e.recoverJob(ctx, job, func(adopt func(context.Context)) { e.goBackground(adopt) })
	}
	return nil
}

// recoverJob re-attaches one job that was active when its engine stopped: a Flink job is adopted (by
// adoptIn, which runs the adoption in the background or right here), a local one relaunched.
func (e *Engine) recoverJob(ctx context.Context, job api.Job, adoptIn func(func(context.Context))) {
	rt, ws, err := e.namespaceRuntime(ctx, job.NamespaceID)
	if err != nil {
		e.log.Error("resume job", "job", job.ID, "err", err)
		return
	}
	if ws.Runtime.Type == api.RuntimeFlink {
		adoptIn(func(ctx context.Context) { e.adoptJob(ctx, rt, ws, job) })
		return
	}
	if job.Status == api.JobCancelling {
		e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobCancelled})
		return
	}
	if err := e.resumeJob(ctx, job); err != nil {
		e.log.Error("resume job", "job", job.ID, "err", err)
	}
}

// adoptJob re-attaches to a job on a Flink cluster. While the cluster cannot be reached it retries with
// backoff and says so on the job; a job the cluster no longer knows ends FAILED with the reason; a stop
// that was under way is sent again.
func (e *Engine) adoptJob(ctx context.Context, rt runtime.Runtime, ws workspaceRecord, job api.Job) {
	// Flink may have discarded checkpoints while no engine watched (a restart, a dead replica): list only
	// those whose files are still there.
	e.forgetMissingCheckpoints(ctx, job)
	dep, js, err := e.watchSpec(ctx, job)
	if err != nil {
		e.log.Error("adopt job", "job", job.ID, "err", err)
		return
	}
	for delay := time.Second; ; delay = min(2*delay, maxAdoptBackoff) {
		err = rt.Recover(ctx, js, job.FlinkJobID)
		if !errors.Is(err, runtime.ErrUnavailable) {
			break
		}
		e.JobStatusChanged(job.ID, runtime.JobStatus{Status: job.Status,
			Message: fmt.Sprintf("the engine restarted and cannot reach the Flink cluster yet (%v); retrying", err)})
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
	switch {
	case errors.Is(err, runtime.ErrUnknownJob) && job.FlinkJobID == "":
		e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobFailed,
			Failure: fmt.Sprintf("the engine stopped before the job reached the Flink cluster at %s; start the deployment again", ws.Runtime.RESTURL)})
	case errors.Is(err, runtime.ErrUnknownJob):
		e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobFailed,
			Failure: fmt.Sprintf("Flink job %s is no longer on the cluster at %s: it vanished while the engine was not watching; start the deployment again", job.FlinkJobID, ws.Runtime.RESTURL)})
	case err != nil:
		e.log.Error("adopt job", "job", job.ID, "flink_job_id", job.FlinkJobID, "err", err)
	case job.Status == api.JobCancelling:
		e.finishStop(ctx, job, api.StopNone, nil)
	default:
		e.log.Info("adopted job", "job", job.ID, "deployment", dep.Name, "flink_job_id", job.FlinkJobID)
	}
}

// watchSpec is what a runtime needs to watch a job that already runs (nothing is restored).
func (e *Engine) watchSpec(ctx context.Context, job api.Job) (objectRecord, runtime.JobSpec, error) {
	var dep objectRecord
	var spec api.DeploymentSpec
	err := e.store.View(ctx, func(tx store.Tx) (err error) {
		dep, spec, _, err = loadDeployment(tx, system, job.DeploymentID, api.RoleViewer)
		return err
	})
	if err != nil {
		return dep, runtime.JobSpec{}, err
	}
	js, _, err := e.jobSpec(ctx, dep.Object, spec, job, nil, false, 0)
	return dep, js, err
}

// watchHere makes this replica's runtime watch a Flink job that another replica watches (it holds the
// job's lease), so that a stop or a snapshot that reached this replica can act on the job: the Flink
// runtime acts only on jobs it watches. This watch reports nothing (the job's status and checkpoints are
// the watching replica's to record: a first report here would say RUNNING over CANCELLING); the end of a
// job stopped with a savepoint waits there for the snapshot this replica records. release lets go of the
// job again, unless this replica holds its lease by then. Without replicas, or for local jobs (which live
// in one process), it does nothing.
func (e *Engine) watchHere(ctx context.Context, rt runtime.Runtime, ws workspaceRecord, jobID string) (release func()) {
	release = func() {}
	if e.leases == nil || ws.Runtime.Type != api.RuntimeFlink {
		return release
	}
	if _, owned := e.jobLeases.Load(jobID); owned {
		return release
	}
	job, err := e.readJob(ctx, jobID) // its Flink job id, as recorded now
	var js runtime.JobSpec
	if err == nil {
		_, js, err = e.watchSpec(ctx, job)
	}
	if err == nil {
		js.Events = silentEvents{}
		err = rt.Recover(ctx, js, job.FlinkJobID)
	}
	if err != nil {
		e.log.Warn("watch a job another replica watches", "job", jobID, "err", err)
		return release
	}
	return func() {
		if _, owned := e.jobLeases.Load(jobID); owned {
			return
		}
		if d, ok := rt.(runtime.Detacher); ok {
			_ = d.Detach(jobID) // the stop's end already removed it, or the snapshot is written
		}
	}
}

// silentEvents drops a runtime's reports (watchHere).
type silentEvents struct{}

func (silentEvents) JobStatusChanged(string, runtime.JobStatus)              {}
func (silentEvents) CheckpointCompleted(string, runtime.CheckpointInfo) bool { return false }
func (silentEvents) CheckpointFailed(string, runtime.CheckpointInfo)         {}
func (silentEvents) CheckpointDiscarded(string, int64)                       {}

// maxAdoptBackoff caps the wait between attempts to reach a cluster after a restart.
const maxAdoptBackoff = time.Minute

func (e *Engine) resumeJob(ctx context.Context, job api.Job) error {
	var dep objectRecord
	var spec api.DeploymentSpec
	var src *restoreChoice
	var seq int64
	// A checkpoint the runtime completed and discarded while the engine stopped may still have a record
	// (its report was cut short); resuming from it would fail, so records without files go first.
	e.forgetMissingCheckpoints(ctx, job)
	// The job shows STARTING until the runtime reports it RUNNING again from its restored offset.
	err := e.store.Update(ctx, func(tx store.Tx) error {
		var err error
		job.Status = api.JobStarting
		if err := putJob(tx, job); err != nil {
			return err
		}
		if err := setObjectStatus(tx, job.DeploymentID, api.JobStarting); err != nil {
			return err
		}
		if dep, spec, _, err = loadDeployment(tx, system, job.DeploymentID, api.RoleViewer); err != nil {
			return err
		}
		if seq, err = nextCheckpointSeq(tx, job.DeploymentID); err != nil {
			return err
		}
		cp, err := latestCompletedCheckpoint(tx, store.Cols{"job_id": job.ID})
		if err != nil {
			return err
		}
		switch {
		case cp != nil:
			src = checkpointChoice(job.NamespaceID, *cp)
		case job.RestoredFrom != "":
			var s api.Snapshot
			var c api.Checkpoint
			if tx.Get(store.Snapshots, job.RestoredFrom, &s) == nil {
				src = snapshotChoice(s)
			} else if tx.Get(store.Checkpoints, job.RestoredFrom, &c) == nil {
				src = checkpointChoice(job.NamespaceID, c)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.log.Info("resuming job", "job", job.ID, "deployment", dep.Name, "from", func() string {
		if src == nil {
			return "no state"
		}
		return src.id
	}())
	// The job was accepted before; its own checkpoints match its fingerprint, and an original source was
	// already judged compatible (or explicitly allowed) at the first start.
	js, rt, err := e.jobSpec(ctx, dep.Object, spec, job, src, true, seq)
	if err == nil {
		err = rt.Recover(ctx, js, job.FlinkJobID)
	}
	if err != nil {
		e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobFailed, Failure: err.Error()})
		return startError(dep.Name, src, err)
	}
	return nil
}
