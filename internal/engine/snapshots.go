package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

func putSnapshot(tx store.Tx, s api.Snapshot) error {
	return tx.Put(store.Snapshots, s.ID, store.Cols{"deployment_id": s.DeploymentID, "namespace_id": s.NamespaceID,
		"job_id": s.JobID, "origin": s.Origin, "status": s.Status, "created_at": store.TimeKey(s.CreatedAt)}, s)
}

func (e *Engine) newSnapshot(dep api.Object, spec api.DeploymentSpec, job api.Job, format, description, origin string) api.Snapshot {
	return api.Snapshot{ID: newID("snap"), NamespaceID: dep.NamespaceID, DeploymentID: dep.ID, JobID: job.ID,
		Format: format, Description: description, Origin: origin, Status: api.SnapshotStarted,
		StateFingerprint: job.StateFingerprint, EngineVersion: spec.EngineVersion, CreatedAt: e.now()}
}

// CreateSnapshot starts a snapshot of a RUNNING job (Editor) and returns it STARTED; it completes in the
// background.
func (e *Engine) CreateSnapshot(ctx context.Context, p Principal, depID string, req api.SnapshotRequest) (api.Snapshot, error) {
	return e.createSnapshot(ctx, p, depID, req, api.OriginUserRequest)
}

func (e *Engine) createSnapshot(ctx context.Context, p Principal, depID string, req api.SnapshotRequest, origin string) (api.Snapshot, error) {
	if req.Format == "" {
		req.Format = api.FormatCanonical
	}
	if err := oneOf("format", req.Format, api.FormatCanonical, api.FormatNative); err != nil {
		return api.Snapshot{}, err
	}
	var snap api.Snapshot
	err := e.store.Update(ctx, func(tx store.Tx) error {
		dep, spec, _, err := loadDeployment(tx, p, depID, api.RoleEditor)
		if err != nil {
			return err
		}
		job, ok, err := latestJob(tx, depID)
		if err != nil {
			return err
		}
		if !ok || job.Status != api.JobRunning {
			status := "has never run"
			if ok {
				status = "is " + job.Status
			}
			return errf(api.CodeJobNotRunning, "deployment %q %s: a snapshot can be created only for a RUNNING job; start it first", dep.Name, status)
		}
		snap = e.newSnapshot(dep.Object, spec, job, req.Format, req.Description, origin)
		return putSnapshot(tx, snap)
	})
	if err != nil {
		return snap, err
	}
	e.goBackground(func(ctx context.Context) { e.writeSnapshot(ctx, snap) })
	return snap, nil
}

// writeSnapshot has the runtime write the snapshot's files and records the outcome.
func (e *Engine) writeSnapshot(ctx context.Context, snap api.Snapshot) {
	st, err := e.namespaceStorage(ctx, snap.NamespaceID)
	if err != nil {
		e.failSnapshot(ctx, snap.ID, err)
		return
	}
	rt, ws, err := e.namespaceRuntime(ctx, snap.NamespaceID)
	if err != nil {
		e.failSnapshot(ctx, snap.ID, err)
		return
	}
	release := e.watchHere(ctx, rt, ws, snap.JobID)
	res, err := rt.Savepoint(ctx, snap.JobID, runtime.SavepointTarget{Storage: st, Prefix: snapshotPrefix(snap.NamespaceID, snap.ID), Format: snap.Format})
	release()
	if err != nil {
		// Nothing half-written stays behind: a failed snapshot keeps no files.
		_ = st.DeletePrefix(ctx, snapshotPrefix(snap.NamespaceID, snap.ID))
		e.failSnapshot(ctx, snap.ID, err)
		return
	}
	e.completeSnapshot(ctx, snap.ID, res)
}

func (e *Engine) completeSnapshot(ctx context.Context, id string, res runtime.SavepointResult) {
	var location string
	var snap api.Snapshot
	if err := e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Snapshots, id, &snap) }); err == nil {
		if res.Prefix == "" {
			res.Prefix = snapshotPrefix(snap.NamespaceID, id)
		}
		if st, err := e.namespaceStorage(ctx, snap.NamespaceID); err == nil {
			location = st.Location(res.Prefix)
		}
	}
	e.updateSnapshot(ctx, id, func(s *api.Snapshot) {
		now := e.now()
		s.Status, s.SizeBytes, s.Offset, s.CompletedAt = api.SnapshotCompleted, res.SizeBytes, res.Offset, &now
		s.DurationMS = now.Sub(s.CreatedAt).Milliseconds()
		e.obs.SnapshotRecorded(true, now.Sub(s.CreatedAt))
		if res.Fingerprint != "" {
			s.StateFingerprint = res.Fingerprint
		}
		if location != "" {
			s.Location = location
		}
		s.StatePath = res.Prefix
	})
	for _, fn := range e.snapshotListeners {
		fn(id)
	}
}

func (e *Engine) failSnapshot(ctx context.Context, id string, cause error) {
	e.updateSnapshot(ctx, id, func(s *api.Snapshot) {
		now := e.now()
		s.Status, s.Failure, s.CompletedAt = api.SnapshotFailed, storageFailureText(cause), &now
		s.DurationMS = now.Sub(s.CreatedAt).Milliseconds()
		e.obs.SnapshotRecorded(false, now.Sub(s.CreatedAt))
	})
}

func (e *Engine) updateSnapshot(ctx context.Context, id string, fn func(*api.Snapshot)) {
	err := e.store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		var s api.Snapshot
		if err := tx.Get(store.Snapshots, id, &s); err != nil {
			return err
		}
		fn(&s)
		return putSnapshot(tx, s)
	})
	if err != nil {
		e.log.Error("record snapshot", "snapshot", id, "err", err)
	}
}

// GetSnapshot returns a snapshot (Viewer on its namespace).
func (e *Engine) GetSnapshot(ctx context.Context, p Principal, id string) (api.Snapshot, error) {
	var s api.Snapshot
	err := e.store.View(ctx, func(tx store.Tx) error {
		if err := get(tx, store.Snapshots, "snapshot", id, &s); err != nil {
			return err
		}
		_, err := requireRole(tx, p, s.NamespaceID, api.RoleViewer)
		return err
	})
	return s, err
}

// DeleteSnapshot deletes a snapshot's files, then its record (Editor). A snapshot a start, restore or
// clone is reading, or that a deployment uses as its restore point, is refused. When the files cannot
// be deleted the record stays, in FAILED_DELETION, so nothing is orphaned.
func (e *Engine) DeleteSnapshot(ctx context.Context, p Principal, id string) error {
	var s api.Snapshot
	err := e.store.Update(ctx, func(tx store.Tx) error {
		if err := get(tx, store.Snapshots, "snapshot", id, &s); err != nil {
			return err
		}
		if _, err := requireRole(tx, p, s.NamespaceID, api.RoleEditor); err != nil {
			return err
		}
		if s.Status == api.SnapshotStarted {
			return errf(api.CodeConflict, "snapshot %s is still being written: wait until it is COMPLETED or FAILED", id)
		}
		if e.pins.pinned(id) {
			return errf(api.CodeSnapshotInUse, "snapshot %s is being read by a start, restore or clone: retry when it ends", id)
		}
		if users, err := restorePointUsers(tx, id); err != nil {
			return err
		} else if len(users) > 0 {
			return errf(api.CodeSnapshotInUse, "snapshot %s is the restore point of deployment(s) %v: change or delete them first", id, users)
		}
		s.Status = api.SnapshotDeleting
		return putSnapshot(tx, s)
	})
	if err != nil {
		return err
	}
	return exposeStorage(p, e.removeSnapshot(ctx, s))
}

// removeSnapshot deletes the files first and the record last.
func (e *Engine) removeSnapshot(ctx context.Context, s api.Snapshot) error {
	st, err := e.namespaceStorage(ctx, s.NamespaceID)
	if err == nil {
		err = st.DeletePrefix(ctx, snapshotPrefix(s.NamespaceID, s.ID))
	}
	if err != nil {
		e.updateSnapshot(ctx, s.ID, func(s *api.Snapshot) {
			s.Status, s.Failure = api.SnapshotFailedDeletion, fmt.Sprintf("deleting the files failed: %v", err)
		})
		return fmt.Errorf("delete the files of snapshot %s (now FAILED_DELETION; delete it again to retry): %w", s.ID, err)
	}
	return e.store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error { return tx.Delete(store.Snapshots, s.ID) })
}

// restorePoints maps each snapshot used as a restore point to the deployments that use it (one scan).
func restorePoints(tx store.Tx) (map[string][]string, error) {
	var deps []objectRecord
	if err := tx.List(store.Objects, store.Query{Where: store.Cols{"kind": api.KindDeployment}}, &deps); err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, d := range deps {
		var spec struct {
			RestorePoint string `json:"restore_point"`
		}
		if json.Unmarshal(d.Spec, &spec) == nil && spec.RestorePoint != "" {
			users[spec.RestorePoint] = append(users[spec.RestorePoint], d.ID)
		}
	}
	return users, nil
}

// restorePointUsers lists the deployments whose restore point is the snapshot.
func restorePointUsers(tx store.Tx, snapID string) ([]string, error) {
	users, err := restorePoints(tx)
	return users[snapID], err
}

// deleteDeploymentSnapshots deletes a deployment's snapshots, except those another deployment uses as its
// restore point (they stay until that reference goes), and the now-unreferenced restore point of the
// deployment itself when its owner is gone. Every doomed snapshot is marked DELETING in one committed
// transaction before any file goes, so a crash midway leaves DELETING records the next start finishes,
// never a COMPLETED snapshot with files missing.
func (e *Engine) deleteDeploymentSnapshots(ctx context.Context, dep api.Object) error {
	var doomed []api.Snapshot
	err := e.store.Update(ctx, func(tx store.Tx) error {
		doomed = nil
		var snaps []api.Snapshot
		if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"deployment_id": dep.ID}}, &snaps); err != nil {
			return err
		}
		points, err := restorePoints(tx)
		if err != nil {
			return err
		}
		for _, s := range snaps {
			if users := points[s.ID]; len(users) == 0 || (len(users) == 1 && users[0] == dep.ID) {
				doomed = append(doomed, s)
			}
		}
		spec, _ := specOf[api.DeploymentSpec](dep)
		if spec.RestorePoint != "" {
			var rp api.Snapshot
			if tx.Get(store.Snapshots, spec.RestorePoint, &rp) == nil && rp.DeploymentID != dep.ID {
				var owner objectRecord
				ownerGone := tx.Get(store.Objects, rp.DeploymentID, &owner) != nil
				if ownerGone && len(points[rp.ID]) == 1 {
					doomed = append(doomed, rp)
				}
			}
		}
		return markDeleting(tx, doomed)
	})
	if err != nil {
		return err
	}
	return e.removeSnapshots(ctx, doomed)
}

// markDeleting records snapshots as DELETING before any of their files go, so a crash midway leaves
// records the next start finishes deleting, never a COMPLETED snapshot with files missing.
func markDeleting(tx store.Tx, snaps []api.Snapshot) error {
	for i := range snaps {
		snaps[i].Status = api.SnapshotDeleting
		if err := putSnapshot(tx, snaps[i]); err != nil {
			return err
		}
	}
	return nil
}

// removeSnapshots deletes snapshots marked DELETING: files first, record last.
func (e *Engine) removeSnapshots(ctx context.Context, snaps []api.Snapshot) error {
	for _, s := range snaps {
		if err := e.removeSnapshot(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
