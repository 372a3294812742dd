package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Several replicas on one store share the background work through leases (internal/lease). The
// granularity, and why:
//   - one lease per open clone ("clone/<id>"): a clone is a unit of work with its own journal and any
//     replica can run any clone, so clones spread over replicas and a dead replica's clones move alone;
//   - one lease per active job ("job/<id>"): a local job lives in one replica's process, and a scheduled
//     snapshot of it can only be taken there, so the job's owner also fires its deployment's schedule and
//     applies its cleanup rule. One lease then fences the job's records, its fires and its cleanup
//     together. A single scheduler lease would have to ask other replicas for local snapshots; a lease
//     per workspace would put every job of a large workspace on one replica.
//
// Singleton loops (the idempotency sweep) have one lease each; see singleton.
//
// Renewals cost one transaction per tick for all of a replica's leases (lease.Manager), whatever their
// number. Without replicas (Options.Leases nil) none of this runs: one process does everything, as before.

func cloneLease(id string) string { return "clone/" + id }
func jobLease(id string) string   { return "job/" + id }

// startReplica is Start with leases: nothing is resumed blindly (every replica would relaunch every job);
// work is taken up as its lease is acquired, and work whose owner is alive stays with it.
func (e *Engine) startReplica(ctx context.Context) error {
	if err := e.recoverState(ctx); err != nil {
		return fmt.Errorf("recover interrupted deletes: %w", err)
	}
	e.goBackground(e.leases.Maintain)
	e.goBackground(e.adoptOrphansLoop)
	for _, loop := range e.hooks {
		e.goBackground(loop)
	}
	return nil
}

// singleton makes a background loop run on one replica at a time (Nomad's establishLeadership and
// revokeLeadership): it starts when this replica acquires the lease name and is cancelled if the lease is
// lost; the other replicas wait to take over. Without replicas the loop just runs.
func (e *Engine) singleton(name string, loop func(context.Context)) func(context.Context) {
	if e.leases == nil {
		return loop
	}
	return func(ctx context.Context) {
		err := e.leases.Run(ctx, name, func(ctx context.Context, _ int64) error {
			loop(ctx)
			return nil
		})
		if err != nil && ctx.Err() == nil {
			e.log.Error("run "+name+" under its lease", "err", err)
		}
	}
}

// executeClone runs a clone here: under its lease when replicas share the store.
func (e *Engine) executeClone(id string) {
	if e.leases == nil {
		e.goBackground(func(ctx context.Context) { e.runClone(ctx, id) })
		return
	}
	e.goBackground(func(ctx context.Context) {
		err := e.leases.Run(ctx, cloneLease(id), func(ctx context.Context, _ int64) error {
			e.runClone(ctx, id)
			return nil
		})
		if err != nil && !errors.Is(err, lease.ErrRunning) && ctx.Err() == nil {
			e.log.Error("run clone under its lease", "clone", id, "err", err)
		}
	})
}

// watchJobHere watches a job under its lease (gen > 0: claimed when the job was recorded, so it runs
// here already; 0: acquired when free, so it is taken over from its dead owner).
func (e *Engine) watchJobHere(jobID string, gen int64) {
	e.goBackground(func(ctx context.Context) {
		var err error
		if gen > 0 {
			err = e.leases.RunClaimed(ctx, jobLease(jobID), gen, e.watchJob(jobID, true))
		} else {
			err = e.leases.Run(ctx, jobLease(jobID), e.watchJob(jobID, false))
		}
		if err != nil && !errors.Is(err, lease.ErrRunning) && ctx.Err() == nil {
			e.log.Error("watch job under its lease", "job", jobID, "err", err)
		}
	})
}

// adoptOrphansLoop looks, every third of a lease period, for open clones and active jobs whose lease is
// free: work whose owner renews stays there; work whose owner died comes to the first replica that finds
// its lease expired (a race between two finders is settled by the lease: one runs, one waits).
func (e *Engine) adoptOrphansLoop(ctx context.Context) {
	t := time.NewTicker(e.leases.Period() / 3)
	defer t.Stop()
	for {
		if err := e.adoptOrphans(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("look for work without an owner", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// adoptOrphans starts a Run for every open clone and active job whose lease is free and that no Run of
// this replica handles. It only reads: work with a live owner costs nothing but this look.
func (e *Engine) adoptOrphans(ctx context.Context) error {
	var clones, jobs []string
	err := e.store.View(ctx, func(tx store.Tx) error {
		clones, jobs = nil, nil
		free, err := lease.Free(tx)
		if err != nil {
			return err
		}
		orphan := func(name string) (bool, error) { return !e.leases.Handling(name) && free(name), nil }
		for _, st := range []string{api.ClonePending, api.CloneRunning} {
			var cs []cloneRecord
			if err := tx.List(store.Clones, store.Query{Where: store.Cols{"status": st}, OrderBy: "created_at"}, &cs); err != nil {
				return err
			}
			for _, c := range cs {
				if free, err := orphan(cloneLease(c.ID)); err != nil {
					return err
				} else if free {
					clones = append(clones, c.ID)
				}
			}
		}
		for _, st := range []string{api.JobStarting, api.JobRunning, api.JobCancelling} {
			var js []api.Job
			if err := tx.List(store.Jobs, store.Query{Where: store.Cols{"status": st}}, &js); err != nil {
				return err
			}
			for _, j := range js {
				if free, err := orphan(jobLease(j.ID)); err != nil {
					return err
				} else if free {
					jobs = append(jobs, j.ID)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range clones {
		e.log.Info("resuming clone", "clone", id) // its replica died or stopped (or it is new, rarely)
		e.executeClone(id)
	}
	for _, id := range jobs {
		e.watchJobHere(id, 0)
	}
	return nil
}

// watchJob is the work of a job's lease: take the job over unless it was launched here, let the
// scheduler arm its deployment, and hold on until the job ends. When the lease is lost (or the engine
// stops) a local job is stopped here without a report, since its new owner runs it now.
func (e *Engine) watchJob(jobID string, launchedHere bool) func(context.Context, int64) error {
	return func(ctx context.Context, gen int64) error {
		job, err := e.readJob(ctx, jobID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil || !jobActive(job.Status) {
			return err
		}
		ended := make(chan struct{})
		e.jobEnded.Store(jobID, ended)
		e.jobLeases.Store(jobID, ctx)
		defer e.jobLeases.Delete(jobID)
		defer e.jobEnded.Delete(jobID)
		defer e.sched.touch(job.DeploymentID) // the deployment leaves this replica's scheduler
		if !launchedHere {
			e.takeOverJob(ctx, job)
		}
		launchedHere = false // after a loss this runs again on re-acquisition: then it is a takeover
		e.sched.touch(job.DeploymentID)
		return e.holdJob(ctx, job, ended)
	}
}

func (e *Engine) readJob(ctx context.Context, id string) (api.Job, error) {
	var job api.Job
	err := e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Jobs, id, &job) })
	return job, err
}

// takeOverJob resumes a job whose owner died: the snapshots it was writing fail (their writer is gone),
// a Flink job is adopted by its Flink job id, a local one restarts from its latest checkpoint.
func (e *Engine) takeOverJob(ctx context.Context, job api.Job) {
	var started []api.Snapshot
	err := e.store.View(ctx, func(tx store.Tx) error {
		return tx.List(store.Snapshots, store.Query{Where: store.Cols{"job_id": job.ID, "status": api.SnapshotStarted}}, &started)
	})
	if err != nil {
		e.log.Error("list a taken-over job's snapshots", "job", job.ID, "err", err)
	}
	e.failInterruptedSnapshots(ctx, started)
	// Checkpoints the dead owner's job discarded after its last report are forgotten by resumeJob (local)
	// or adoptJob (Flink) before the job goes on.
	e.log.Info("taking over job", "job", job.ID, "deployment", job.DeploymentID, "status", job.Status)
	e.recoverJob(ctx, job, func(adopt func(context.Context)) { adopt(ctx) })
}

// holdJob waits until the job ends (recorded here, or seen in the store once a lease period) or the
// lease ends. It also marks the deployment for the scheduler every period, so policy changes made
// through another replica reach this one.
func (e *Engine) holdJob(ctx context.Context, job api.Job, ended <-chan struct{}) error {
	t := time.NewTicker(e.leases.Period())
	defer t.Stop()
	for {
		select {
		case <-ended:
			return nil
		case <-ctx.Done():
			e.detachJob(job)
			return nil
		case <-t.C:
		}
		cur, err := e.readJob(ctx, job.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !jobActive(cur.Status)) {
			// Ended through another replica (a delete, a stop): a local job must not run on here.
			e.detachJob(job)
			return nil
		}
		e.sched.touch(job.DeploymentID)
	}
}

// detachJob stops a local job in this process without reporting anything: its new owner runs it from its
// checkpoints. A Flink job keeps running on its cluster.
func (e *Engine) detachJob(job api.Job) {
	rt, _, err := e.namespaceRuntime(context.WithoutCancel(e.ctx), job.NamespaceID)
	if err != nil {
		return
	}
	if d, ok := rt.(runtime.Detacher); ok {
		_ = d.Detach(job.ID)
	}
}

// eventCtx is the context a runtime's report about a job is recorded under: the job's lease while this
// replica watches it (a replica that lost the job records nothing more about it), else the engine's.
func (e *Engine) eventCtx(jobID string) context.Context {
	if e.leases != nil {
		if ctx, ok := e.jobLeases.Load(jobID); ok {
			return ctx.(context.Context)
		}
	}
	return e.ctx
}

// jobOwned reports whether this engine schedules a job's deployment, and the context to do it under: always
// without replicas; with them, only while it holds the job's lease.
func (e *Engine) jobOwned(ctx context.Context, jobID string) (context.Context, bool) {
	if e.leases == nil {
		return ctx, true
	}
	lctx, ok := e.jobLeases.Load(jobID)
	if !ok {
		return ctx, false
	}
	return lctx.(context.Context), true
}

// jobEndedListener wakes the watcher of a job that ended here.
func (e *Engine) jobEndedListener(j api.Job) {
	if jobActive(j.Status) {
		return
	}
	if ch, ok := e.jobEnded.LoadAndDelete(j.ID); ok {
		close(ch.(chan struct{}))
	}
}

// ReplicaStats describes this replica's leases; ok is false without replicas.
func (e *Engine) ReplicaStats() (lease.Stats, bool) {
	if e.leases == nil {
		return lease.Stats{}, false
	}
	return e.leases.Stats(), true
}

// stillLeased fails with lease.ErrLost unless this replica still holds every lease ctx carries, asked of
// the store now (the fenced store checks them in every transaction). Work outside the store on a
// lease's behalf (removing files from storage) asks first: a replica paused past its lease does not
// know it lost it until its next renewal.
func (e *Engine) stillLeased(ctx context.Context) error {
	if !lease.Held(ctx) {
		return nil
	}
	return e.store.View(ctx, func(store.Tx) error { return nil })
}
