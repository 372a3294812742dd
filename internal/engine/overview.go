package engine

import (
	"context"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Overview summarises a deployment's state sets (Viewer): the last successful and the last failed
// checkpoint (id, time, duration, full size) and snapshot (id, completion or failure time, duration).
func (e *Engine) Overview(ctx context.Context, p Principal, depID string) (api.StateOverview, error) {
	out := api.StateOverview{DeploymentID: depID}
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, _, _, err := loadDeployment(tx, p, depID, api.RoleViewer); err != nil {
			return err
		}
		for status, mark := range map[string]**api.CheckpointMark{api.CheckpointCompleted: &out.LastCheckpoint, api.CheckpointFailed: &out.LastFailedCheckpoint} {
			var cps []api.Checkpoint
			if err := tx.List(store.Checkpoints, store.Query{Where: store.Cols{"deployment_id": depID, "status": status},
				OrderBy: "seq", Desc: true, Limit: 1}, &cps); err != nil {
				return err
			}
			if len(cps) == 1 {
				c := cps[0]
				*mark = &api.CheckpointMark{ID: c.ID, Time: timeOr(c.CompletedAt, c.StartedAt), DurationMS: c.DurationMS,
					FullSizeBytes: c.FullSizeByte, Failure: c.Failure}
			}
		}
		for status, mark := range map[string]**api.SnapshotMark{api.SnapshotCompleted: &out.LastSnapshot, api.SnapshotFailed: &out.LastFailedSnapshot} {
			var snaps []api.Snapshot
			if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"deployment_id": depID, "status": status},
				OrderBy: "created_at", Desc: true, Limit: 1}, &snaps); err != nil {
				return err
			}
			if len(snaps) == 1 {
				s := snaps[0]
				*mark = &api.SnapshotMark{ID: s.ID, Time: timeOr(s.CompletedAt, s.CreatedAt), DurationMS: s.DurationMS, Failure: s.Failure}
			}
		}
		var retained []api.Checkpoint
		if err := tx.List(store.Checkpoints, store.Query{Where: store.Cols{"deployment_id": depID, "status": api.CheckpointCompleted}}, &retained); err != nil {
			return err
		}
		out.CheckpointCount = len(retained)
		for _, c := range retained {
			// Bytes the retained checkpoints wrote; files an incremental one shares with them count once.
			out.RetainedCheckpointsBytes += c.SizeBytes
		}
		var err error
		out.SnapshotCount, err = tx.Count(store.Snapshots, store.Cols{"deployment_id": depID})
		return err
	})
	return out, err
}

func timeOr[T any](p *T, fallback T) T {
	if p != nil {
		return *p
	}
	return fallback
}

// SnapshotFilter selects snapshots to list. DeploymentID or NamespaceID is required: a listing stays
// inside one namespace, on which the caller needs Viewer.
type SnapshotFilter struct {
	DeploymentID string
	NamespaceID  string
	JobID        string
	Origin       string
	Status       string
}

// ListSnapshots lists snapshots newest first (Viewer on the namespace listed).
func (e *Engine) ListSnapshots(ctx context.Context, p Principal, f SnapshotFilter, pg Paging) (api.Page[api.Snapshot], error) {
	where := store.Cols{}
	if f.Origin != "" {
		if err := oneOf("origin", f.Origin, api.OriginUserRequest, api.OriginAutoTriggered, api.OriginStopWithSavepoint,
			api.OriginRetainedCheckpoint, api.OriginCopied); err != nil {
			return api.Page[api.Snapshot]{}, err
		}
		where["origin"] = f.Origin
	}
	if f.Status != "" {
		if err := oneOf("status", f.Status, api.SnapshotStarted, api.SnapshotCompleted, api.SnapshotFailed,
			api.SnapshotDeleting, api.SnapshotFailedDeletion); err != nil {
			return api.Page[api.Snapshot]{}, err
		}
		where["status"] = f.Status
	}
	if f.JobID != "" {
		where["job_id"] = f.JobID
	}
	var out []api.Snapshot
	err := e.store.View(ctx, func(tx store.Tx) error {
		switch {
		case f.DeploymentID != "":
			dep, _, _, err := loadDeployment(tx, p, f.DeploymentID, api.RoleViewer)
			if err != nil {
				return err
			}
			if f.NamespaceID != "" && f.NamespaceID != dep.NamespaceID {
				return invalid("namespace_id", "deployment %s is in namespace %s, not %s", dep.ID, dep.NamespaceID, f.NamespaceID)
			}
			where["deployment_id"] = f.DeploymentID
		case f.NamespaceID != "":
			if _, err := requireRole(tx, p, f.NamespaceID, api.RoleViewer); err != nil {
				return err
			}
			where["namespace_id"] = f.NamespaceID
		default:
			return invalid("deployment_id", "give deployment_id (or namespace_id) to say whose snapshots to list")
		}
		return tx.List(store.Snapshots, pg.query(where, "created_at", true), &out)
	})
	return pageOf(out, pg), err
}
