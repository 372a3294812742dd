package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

func jobActive(status string) bool {
	return status == api.JobStarting || status == api.JobRunning || status == api.JobCancelling
}

// latestJob returns a deployment's newest job, or ok=false when it never ran.
func latestJob(tx store.Tx, depID string) (job api.Job, ok bool, err error) {
	var jobs []api.Job
	err = tx.List(store.Jobs, store.Query{Where: store.Cols{"deployment_id": depID}, OrderBy: "started_at", Desc: true, Limit: 1}, &jobs)
	if err != nil || len(jobs) == 0 {
		return api.Job{}, false, err
	}
	return jobs[0], true, nil
}

func putJob(tx store.Tx, j api.Job) error {
	return tx.Put(store.Jobs, j.ID, store.Cols{"deployment_id": j.DeploymentID, "namespace_id": j.NamespaceID,
		"status": j.Status, "started_at": store.TimeKey(j.StartedAt)}, j)
}

// loadDeployment reads a deployment object and checks the caller's role on its namespace.
func loadDeployment(tx store.Tx, p Principal, id, role string) (objectRecord, api.DeploymentSpec, api.Namespace, error) {
	rec, ns, err := loadObject(tx, p, id, role)
	if err != nil {
		return rec, api.DeploymentSpec{}, ns, err
	}
	if rec.Kind != api.KindDeployment {
		return rec, api.DeploymentSpec{}, ns, invalid("deployment_id", "%s is %s, not a deployment", id, singular(rec.Kind))
	}
	spec, err := specOf[api.DeploymentSpec](rec.Object)
	return rec, spec, ns, err
}

// GetJob returns a deployment's latest job (Viewer).
func (e *Engine) GetJob(ctx context.Context, p Principal, depID string) (api.Job, error) {
	var job api.Job
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, _, _, err := loadDeployment(tx, p, depID, api.RoleViewer); err != nil {
			return err
		}
		var ok bool
		var err error
		if job, ok, err = latestJob(tx, depID); err == nil && !ok {
			err = errf(api.CodeNotFound, "deployment %s has never run: start it first", depID)
		}
		return err
	})
	return job, err
}

// ListCheckpoints lists a deployment's system checkpoints, newest first (Viewer).
func (e *Engine) ListCheckpoints(ctx context.Context, p Principal, depID string, pg Paging) (api.Page[api.Checkpoint], error) {
	var out []api.Checkpoint
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, _, _, err := loadDeployment(tx, p, depID, api.RoleViewer); err != nil {
			return err
		}
		return tx.List(store.Checkpoints, pg.query(store.Cols{"deployment_id": depID}, "seq", true), &out)
	})
	return pageOf(out, pg), err
}

// StartJob starts a stopped deployment, optionally from state (Editor).
func (e *Engine) StartJob(ctx context.Context, p Principal, depID string, req api.StartRequest) (api.Job, error) {
	if req.RestoreStrategy == "" {
		req.RestoreStrategy = api.DefaultRestoreOnStart
	}
	if err := oneOf("restore_strategy", req.RestoreStrategy, api.RestoreNone, api.RestoreLatestState,
		api.RestoreLatestSavepoint, api.RestoreFromSavepoint, api.RestoreFromCheckpoint); err != nil {
		return api.Job{}, err
	}
	if req.RestoreStrategy == api.RestoreFromSavepoint && req.SnapshotID == "" {
		return api.Job{}, invalid("snapshot_id", "FROM_SAVEPOINT needs the id of the snapshot to start from")
	}
	if req.RestoreStrategy == api.RestoreFromCheckpoint && req.CheckpointID == "" {
		return api.Job{}, invalid("checkpoint_id", "FROM_CHECKPOINT needs the id of a retained checkpoint of this deployment (see its state sets)")
	}
	var (
		dep  objectRecord
		spec api.DeploymentSpec
		job  api.Job
		src  *restoreChoice
		seq  int64
		gen  int64 // the job's lease, with replicas
	)
	err := e.store.Update(ctx, func(tx store.Tx) error {
		if src != nil {
			// PostgreSQL runs a transaction that lost a serialisation race again: release what the lost
			// attempt pinned, or the pin would outlive the start and block the snapshot's delete forever.
			e.pins.unpin(src.id)
			src = nil
		}
		var ns api.Namespace
		var err error
		if dep, spec, ns, err = loadDeployment(tx, p, depID, api.RoleEditor); err != nil {
			return err
		}
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		if last, ok, err := latestJob(tx, depID); err != nil {
			return err
		} else if ok && jobActive(last.Status) {
			return errf(api.CodeJobNotStopped, "deployment %q already has job %s in status %s: stop it first", dep.Name, last.ID, last.Status)
		}
		if seq, err = nextCheckpointSeq(tx, depID); err != nil {
			return err
		}
		if src, err = e.chooseRestore(tx, p, dep, spec, req); err != nil {
			return err
		}
		job = api.Job{ID: newID("job"), DeploymentID: depID, NamespaceID: dep.NamespaceID, Status: api.JobStarting,
			RestoreStrategy: req.RestoreStrategy, StateFingerprint: runtime.Fingerprint(spec), StartedAt: e.now()}
		if src != nil {
			job.RestoredFrom = src.id
		}
		if err := putJob(tx, job); err != nil {
			return err
		}
		if e.leases != nil {
			// The job and its owner are recorded together: no replica sees it without one.
			if gen, err = e.leases.Claim(tx, jobLease(job.ID)); err != nil {
				return err
			}
		}
		return setObjectStatus(tx, depID, api.JobStarting)
	})
	switch {
	case e.leases == nil:
	case err == nil:
		e.watchJobHere(job.ID, gen)
	case job.ID != "":
		e.leases.Unclaim(jobLease(job.ID)) // the job was not recorded: neither is its lease
	}
	if src != nil {
		// chooseRestore pinned the source; release it once the runtime has read it (or the start failed).
		defer e.pins.unpin(src.id)
	}
	if err != nil {
		return api.Job{}, err
	}
	if err := e.launch(ctx, dep.Object, spec, job, src, req.AllowNonRestoredState, seq); err != nil {
		return api.Job{}, exposeStorage(p, err)
	}
	return job, nil
}

// launch hands a recorded job to its workspace's runtime and records the runtime's handle. A refusal
// marks the job FAILED and is returned.
func (e *Engine) launch(ctx context.Context, dep api.Object, spec api.DeploymentSpec, job api.Job, src *restoreChoice, allowNonRestored bool, firstSeq int64) error {
	js, rt, err := e.jobSpec(ctx, dep, spec, job, src, allowNonRestored, firstSeq)
	var handle string
	if err == nil {
		handle, err = rt.Start(ctx, js)
	}
	if err == nil {
		e.recordHandle(job.ID, handle)
		return nil
	}
	e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobFailed, Failure: storageFailureText(err)})
	return startError(dep.Name, src, err)
}

// startError maps a runtime's refusal to the API's error codes, with what to do about it.
func startError(name string, src *restoreChoice, err error) error {
	from := ""
	if src != nil {
		from = " from " + src.id
	}
	switch failure, _ := blob.Classify(err); {
	case failure != blob.FailureOther:
		return err // the storage's fault, not the state's: StartJob answers with the storage code
	case errors.Is(err, runtime.ErrIncompatibleState):
		return errf(api.CodeIncompatibleState, "cannot start %q%s: %v; set allow_non_restored_state to drop the state that does not match", name, from, err)
	case errors.Is(err, runtime.ErrCorruptState):
		return errf(api.CodeConflict, "cannot start %q%s: %v", name, from, err)
	case errors.Is(err, runtime.ErrVersionMismatch):
		return invalid("spec.engine_version", "cannot start %q: %v", name, err)
	case errors.Is(err, runtime.ErrUnavailable):
		return errf(api.CodeUnavailable, "cannot start %q: %v", name, err)
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return errf(api.CodeInvalidArgument, "cannot start %q: %v", name, err)
}

// jobSpec assembles what a runtime needs to run a recorded job, and the runtime to run it on.
func (e *Engine) jobSpec(ctx context.Context, dep api.Object, spec api.DeploymentSpec, job api.Job, src *restoreChoice, allowNonRestored bool, firstSeq int64) (runtime.JobSpec, runtime.Runtime, error) {
	rt, _, err := e.namespaceRuntime(ctx, dep.NamespaceID)
	if err != nil {
		return runtime.JobSpec{}, nil, err
	}
	st, err := e.namespaceStorage(ctx, dep.NamespaceID)
	if err != nil {
		return runtime.JobSpec{}, nil, err
	}
	js := runtime.JobSpec{JobID: job.ID, DeploymentID: dep.ID, Config: spec.FlinkConfiguration,
		Program: runtime.Program{Type: spec.Type, ExecutionMode: spec.ExecutionMode, EngineVersion: spec.EngineVersion,
			SQL: spec.SQL, Parallelism: spec.Parallelism},
		Checkpoint: runtime.DefaultCheckpointSettings(spec.Checkpoint), Storage: st,
		CheckpointPrefix: checkpointPrefix(dep.NamespaceID, dep.ID, job.ID), FirstCheckpointSeq: firstSeq,
		Fingerprint: job.StateFingerprint, Events: e}
	if spec.Jar != nil {
		if js.Program.Jar, err = e.jarProgram(ctx, dep.NamespaceID, *spec.Jar); err != nil {
			return js, nil, err
		}
	}
	if src != nil {
		srcStore, err := e.namespaceStorage(ctx, src.namespaceID)
		if err != nil {
			return js, nil, err
		}
		js.Restore = &runtime.RestoreSource{Storage: srcStore, Prefix: src.prefix, AllowNonRestoredState: allowNonRestored}
	}
	return js, rt, nil
}

// recordHandle stores the runtime's id of a job (the Flink job id), so a restarted engine adopts it.
func (e *Engine) recordHandle(jobID, handle string) {
	if handle == "" {
		return
	}
	err := e.store.Update(e.ctx, func(tx store.Tx) error {
		var job api.Job
		if err := tx.Get(store.Jobs, jobID, &job); err != nil {
			return err
		}
		job.FlinkJobID = handle
		return putJob(tx, job)
	})
	if err != nil {
		e.log.Error("record the Flink job id", "job", jobID, "flink_job_id", handle, "err", err)
	}
}

// StopJob stops a running deployment (Editor). It returns the job in CANCELLING; the runtime finishes the
// stop in the background (after writing a snapshot for STOP_WITH_SAVEPOINT).
func (e *Engine) StopJob(ctx context.Context, p Principal, depID string, req api.StopRequest) (api.Job, error) {
	if req.Strategy == "" {
		req.Strategy = api.DefaultStopStrategy
	}
	if err := oneOf("strategy", req.Strategy, api.StopNone, api.StopWithSavepoint, api.StopWithDrain); err != nil {
		return api.Job{}, err
	}
	var job api.Job
	var snap *api.Snapshot
	err := e.store.Update(ctx, func(tx store.Tx) error {
		dep, spec, ns, err := loadDeployment(tx, p, depID, api.RoleEditor)
		if err != nil {
			return err
		}
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		last, ok, err := latestJob(tx, depID)
		if err != nil {
			return err
		}
		if !ok || (last.Status != api.JobRunning && last.Status != api.JobStarting) {
			status := "never ran"
			if ok {
				status = "is " + last.Status
			}
			return errf(api.CodeJobNotRunning, "deployment %q %s: only a running job can be stopped", dep.Name, status)
		}
		if req.Strategy == api.StopWithSavepoint {
			s := e.newSnapshot(dep.Object, spec, last, api.FormatCanonical, "taken when the job was stopped", api.OriginStopWithSavepoint)
			if err := putSnapshot(tx, s); err != nil {
				return err
			}
			snap = &s
		}
		last.Status = api.JobCancelling
		job = last
		if err := putJob(tx, last); err != nil {
			return err
		}
		return setObjectStatus(tx, depID, api.JobCancelling)
	})
	if err != nil {
		return job, err
	}
	e.goBackground(func(ctx context.Context) { e.finishStop(ctx, job, req.Strategy, snap) })
	return job, nil
}

func (e *Engine) finishStop(ctx context.Context, job api.Job, strategy string, snap *api.Snapshot) {
	var target *runtime.SavepointTarget
	if snap != nil {
		st, err := e.namespaceStorage(ctx, job.NamespaceID)
		if err != nil {
			e.failSnapshot(ctx, snap.ID, err)
			return
		}
		target = &runtime.SavepointTarget{Storage: st, Prefix: snapshotPrefix(job.NamespaceID, snap.ID), Format: snap.Format}
	}
	rt, ws, err := e.namespaceRuntime(ctx, job.NamespaceID)
	var res *runtime.SavepointResult
	if err == nil {
		release := e.watchHere(ctx, rt, ws, job.ID)
		res, err = rt.Stop(ctx, job.ID, strategy, target)
		release()
	}
	if snap != nil {
		if err != nil {
			e.failSnapshot(ctx, snap.ID, err)
		} else {
			e.completeSnapshot(ctx, snap.ID, *res)
		}
	}
	if err != nil {
		e.log.Error("stop job", "job", job.ID, "err", err)
		if errors.Is(err, runtime.ErrUnknownJob) {
			e.JobStatusChanged(job.ID, runtime.JobStatus{Status: api.JobCancelled})
		}
	}
}

// setObjectStatus records a deployment's job status on the object, without moving its version.
func setObjectStatus(tx store.Tx, objID, status string) error {
	var rec objectRecord
	if err := tx.Get(store.Objects, objID, &rec); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted meanwhile
		}
		return err
	}
	if rec.Status == StatusDeleting && status != StatusDeleting {
		return nil // a deletion under way keeps its mark until the record goes (see recoverState)
	}
	rec.Status = status
	return tx.Put(store.Objects, rec.ID, objectCols(rec.Object), rec)
}

// deleteDeploymentRuntime stops a deployment's job and deletes its checkpoints and snapshots, except a
// snapshot another deployment uses as its restore point.
func (e *Engine) deleteDeploymentRuntime(ctx context.Context, dep api.Object) error {
	var job api.Job
	var active bool
	err := e.store.View(ctx, func(tx store.Tx) error {
		j, ok, err := latestJob(tx, dep.ID)
		job, active = j, ok && jobActive(j.Status)
		return err
	})
	if err != nil {
		return err
	}
	if active {
		rt, _, err := e.namespaceRuntime(ctx, dep.NamespaceID)
		if err == nil {
			_, err = rt.Stop(ctx, job.ID, api.StopNone, nil)
		}
		if err != nil && !errors.Is(err, runtime.ErrUnknownJob) {
			return fmt.Errorf("stop the job of deployment %q: %w", dep.Name, err)
		}
	}
	st, err := e.namespaceStorage(ctx, dep.NamespaceID)
	if err != nil {
		return err
	}
	if err := st.DeletePrefix(ctx, nsPrefix(dep.NamespaceID)+"checkpoints/"+dep.ID+"/"); err != nil {
		return fmt.Errorf("delete the checkpoints of deployment %q: %w", dep.Name, err)
	}
	if err := e.deleteDeploymentSnapshots(ctx, dep); err != nil {
		return err
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.DeleteWhere(store.Checkpoints, store.Cols{"deployment_id": dep.ID}); err != nil {
			return err
		}
		if _, err := tx.DeleteWhere(store.Jobs, store.Cols{"deployment_id": dep.ID}); err != nil {
			return err
		}
		return tx.Delete(store.Policies, dep.ID)
	})
}
