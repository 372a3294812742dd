package engine

import (
	"context"
	"errors"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// StatusDeleting is the status of a deployment or file resource whose deletion has begun: its files may
// be partly gone. The next start finishes the deletion if the engine died meanwhile.
const StatusDeleting = "DELETING"

// recoverState finishes, before any job resumes or clone continues, what a crash (kill -9 is a normal
// event) interrupted:
//   - a snapshot left STARTED had no writer any more: its partial files are removed and it ends FAILED;
//   - a snapshot left DELETING is deleted (files first, record last);
//   - an object left DELETING is deleted, its jobs first marked CANCELLED so none is resumed.
//
// A storage failure leaves the record (FAILED, FAILED_DELETION or DELETING) for the user or the next
// start, never an unreachable file or a COMPLETED record without files.
func (e *Engine) recoverState(ctx context.Context) error {
	var started, deleting []api.Snapshot
	var objects []objectRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"status": api.SnapshotStarted}}, &started); err != nil {
			return err
		}
		if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"status": api.SnapshotDeleting}}, &deleting); err != nil {
			return err
		}
		for _, kind := range []string{api.KindDeployment, api.KindFileResource} {
			var recs []objectRecord
			if err := tx.List(store.Objects, store.Query{Where: store.Cols{"kind": kind}}, &recs); err != nil {
				return err
			}
			for _, r := range recs {
				if r.Status == StatusDeleting {
					objects = append(objects, r)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e.leases == nil {
		// With replicas, another live replica may be writing a STARTED snapshot: the replica that takes
		// over a job fails that job's interrupted snapshots instead (takeOverJob).
		e.failInterruptedSnapshots(ctx, started)
	}
	for _, s := range deleting {
		if err := e.removeSnapshot(ctx, s); err != nil {
			e.log.Error("resume a snapshot deletion", "snapshot", s.ID, "err", err)
		}
	}
	for _, o := range objects {
		e.log.Warn("resuming an interrupted delete", "object", o.ID, "kind", o.Kind)
		if o.Kind == api.KindDeployment {
			e.cancelJobsOf(ctx, o.ID)
		}
		if err := e.deleteObject(ctx, system, o.ID, true); err != nil && CodeOf(err) != api.CodeNotFound {
			e.log.Error("resume a delete", "object", o.ID, "err", err)
		}
	}
	return nil
}

// failInterruptedSnapshots removes the partial files of snapshots whose writer died and marks them FAILED.
func (e *Engine) failInterruptedSnapshots(ctx context.Context, started []api.Snapshot) {
	for _, s := range started {
		e.log.Warn("snapshot interrupted by a crash: removing its partial files", "snapshot", s.ID)
		cause := errors.New("the engine stopped while this snapshot was being written; its partial files were removed")
		if st, err := e.namespaceStorage(ctx, s.NamespaceID); err == nil {
			if err := st.DeletePrefix(ctx, snapshotPrefix(s.NamespaceID, s.ID)); err != nil {
				e.log.Error("remove a partial snapshot", "snapshot", s.ID, "err", err)
				cause = errors.New("the engine stopped while this snapshot was being written; removing its partial files failed: delete it to retry")
			}
		}
		e.failSnapshot(ctx, s.ID, cause)
	}
}

// cancelJobsOf records every active job of a deployment CANCELLED (the deployment is going away).
func (e *Engine) cancelJobsOf(ctx context.Context, depID string) {
	var jobs []api.Job
	if err := e.store.View(ctx, func(tx store.Tx) error {
		return tx.List(store.Jobs, store.Query{Where: store.Cols{"deployment_id": depID}}, &jobs)
	}); err != nil {
		e.log.Error("list jobs", "deployment", depID, "err", err)
		return
	}
	for _, j := range jobs {
		if jobActive(j.Status) {
			e.JobStatusChanged(j.ID, runtime.JobStatus{Status: api.JobCancelled})
		}
	}
}
