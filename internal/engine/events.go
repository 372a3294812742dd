package engine

import (
	"context"
	"fmt"

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
	var job api.Job
	err := e.store.Update(e.ctx, func(tx store.Tx) error {
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		if !jobActive(job.Status) && job.Status != s.Status {
			return nil // a late report about a job that already ended
		}
		job.Status, job.Failure = s.Status, s.Failure
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

// CheckpointCompleted records a completed checkpoint.
func (e *Engine) CheckpointCompleted(jobID string, cp runtime.CheckpointInfo) {
	e.recordCheckpoint(jobID, cp, api.CheckpointCompleted)
}

// CheckpointFailed records a failed checkpoint, keeping the last few failures per job.
func (e *Engine) CheckpointFailed(jobID string, cp runtime.CheckpointInfo) {
	e.recordCheckpoint(jobID, cp, api.CheckpointFailed)
}

func (e *Engine) recordCheckpoint(jobID string, cp runtime.CheckpointInfo, status string) {
	// The storage lookup reads the store itself: do it before the write transaction, not inside it.
	var location string
	if status == api.CheckpointCompleted {
		if st, err := e.jobStorage(jobID); err == nil {
			location = st.Location(cp.Prefix)
		}
	}
	err := e.store.Update(e.ctx, func(tx store.Tx) error {
		var job api.Job
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		completed := cp.CompletedAt
		c := api.Checkpoint{ID: checkpointID(jobID, cp.Seq), DeploymentID: job.DeploymentID, JobID: jobID, Sequence: cp.Seq,
			Status: status, Failure: cp.Failure, Incremental: cp.Incremental, SizeBytes: cp.SizeBytes,
			FullSizeByte: cp.FullSizeBytes, Offset: cp.Offset, StartedAt: cp.StartedAt, CompletedAt: &completed,
			DurationMS: cp.CompletedAt.Sub(cp.StartedAt).Milliseconds(), Location: location}
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
	}
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
	// The runtime may discard a checkpoint an earlier job of the deployment wrote (it adopts them on a
	// resume), so the record is found by deployment and sequence, not by this job's id.
	err := e.store.Update(e.ctx, func(tx store.Tx) error {
		var job api.Job
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		_, err := tx.DeleteWhere(store.Checkpoints, store.Cols{"deployment_id": job.DeploymentID, "seq": seq, "status": api.CheckpointCompleted})
		return err
	})
	if err != nil {
		e.log.Error("forget checkpoint", "job", jobID, "seq", seq, "err", err)
	}
}

// resumeJobs restarts the jobs that were running when the engine stopped, each from its latest
// checkpoint (or the state it first started from); a stop that was under way is completed.
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
		if job.Status == api.JobCancelling {
			e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobCancelled})
			continue
		}
		if err := e.resumeJob(ctx, job); err != nil {
			e.log.Error("resume job", "job", job.ID, "err", err)
		}
	}
	return nil
}

func (e *Engine) resumeJob(ctx context.Context, job api.Job) error {
	var dep objectRecord
	var spec api.DeploymentSpec
	var src *restoreChoice
	var seq int64
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
	return e.launch(ctx, dep.Object, spec, job, src, true, seq)
}
