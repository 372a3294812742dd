package engine

import (
	"sync"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// restoreChoice is the state a job starts from: a snapshot's or a checkpoint's directory.
type restoreChoice struct {
	id          string
	namespaceID string
	prefix      string
	checkpoint  bool
}

func snapshotChoice(s api.Snapshot) *restoreChoice {
	return &restoreChoice{id: s.ID, namespaceID: s.NamespaceID, prefix: snapshotStatePath(s)}
}

func checkpointChoice(nsID string, c api.Checkpoint) *restoreChoice {
	return &restoreChoice{id: c.ID, namespaceID: nsID, prefix: checkpointStatePath(nsID, c), checkpoint: true}
}

// snapshotStatePath is the directory holding a snapshot's _metadata.
func snapshotStatePath(s api.Snapshot) string {
	if s.StatePath != "" {
		return s.StatePath
	}
	return snapshotPrefix(s.NamespaceID, s.ID)
}

// checkpointStatePath is the directory holding a checkpoint's _metadata.
func checkpointStatePath(nsID string, c api.Checkpoint) string {
	if c.StatePath != "" {
		return c.StatePath
	}
	return checkpointPrefix(nsID, c.DeploymentID, c.JobID) + chkDir(c.Sequence)
}

// chooseRestore resolves a start's restore strategy to a source and pins it, so cleanup cannot delete it
// while the job reads it (the caller unpins once the runtime has started).
func (e *Engine) chooseRestore(tx store.Tx, p Principal, dep objectRecord, spec api.DeploymentSpec, req api.StartRequest) (*restoreChoice, error) {
	var choice *restoreChoice
	switch req.RestoreStrategy {
	case api.RestoreNone:
		return nil, nil
	case api.RestoreFromSavepoint:
		// Authorized like a path id: a snapshot of a namespace the caller has no role on is not found.
		s, err := visibleSnapshot(tx, p, "snapshot_id", req.SnapshotID)
		if err != nil {
			return nil, err
		}
		if s.Status != api.SnapshotCompleted {
			return nil, errf(api.CodeConflict, "snapshot %s is %s: only a COMPLETED snapshot can be restored", s.ID, s.Status)
		}
		// The local simulation judges compatibility by fingerprint here; Flink judges it itself at start.
		if want := runtime.Fingerprint(spec); s.StateFingerprint != "" && s.StateFingerprint != want && !req.AllowNonRestoredState && !e.onFlink(tx, dep.NamespaceID) {
			return nil, errf(api.CodeIncompatibleState, "snapshot %s holds state of another job layout (fingerprint %s, deployment %q has %s): "+
				"set allow_non_restored_state = true to start anyway and drop the state that does not match", s.ID, s.StateFingerprint, dep.Name, want)
		}
		choice = snapshotChoice(s)
	case api.RestoreFromCheckpoint:
		var c api.Checkpoint
		if err := get(tx, store.Checkpoints, "checkpoint", req.CheckpointID, &c); err != nil {
			return nil, err
		}
		if c.DeploymentID != dep.ID {
			// Authorized like a path id before anything about it is said.
			var owner objectRecord
			if tx.Get(store.Objects, c.DeploymentID, &owner) != nil {
				return nil, notFound("checkpoint_id: checkpoint", c.ID)
			}
			if _, err := requireBodyRole(tx, p, owner.NamespaceID, api.RoleViewer, "checkpoint_id: checkpoint", c.ID); err != nil {
				return nil, err
			}
			return nil, invalid("checkpoint_id", "checkpoint %s belongs to another deployment: a retained checkpoint restores only its own deployment; use a snapshot to move state between deployments", c.ID)
		}
		if c.Status != api.CheckpointCompleted {
			return nil, errf(api.CodeConflict, "checkpoint %s is %s: only a COMPLETED retained checkpoint can be restored", c.ID, c.Status)
		}
		choice = checkpointChoice(dep.NamespaceID, c)
	case api.RestoreLatestSavepoint, api.RestoreLatestState:
		snap, err := latestCompletedSnapshot(tx, dep.ID)
		if err != nil {
			return nil, err
		}
		if req.RestoreStrategy == api.RestoreLatestState {
			cp, err := latestCompletedCheckpoint(tx, store.Cols{"deployment_id": dep.ID})
			if err != nil {
				return nil, err
			}
			if cp != nil && (snap == nil || cp.CompletedAt.After(*snap.CompletedAt)) {
				choice = checkpointChoice(dep.NamespaceID, *cp)
			}
		}
		if choice == nil && snap != nil {
			choice = snapshotChoice(*snap)
		}
		if choice == nil && spec.RestorePoint != "" {
			var s api.Snapshot
			if err := tx.Get(store.Snapshots, spec.RestorePoint, &s); err == nil && s.Status == api.SnapshotCompleted {
				// Checked again at start: the caller may have lost its role on the snapshot's namespace.
				if _, err := visibleSnapshot(tx, p, "spec.restore_point", s.ID); err != nil {
					return nil, err
				}
				choice = snapshotChoice(s)
			}
		}
	}
	if choice != nil {
		e.pins.pin(choice.id)
	}
	return choice, nil
}

func latestCompletedSnapshot(tx store.Tx, depID string) (*api.Snapshot, error) {
	var snaps []api.Snapshot
	err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"deployment_id": depID, "status": api.SnapshotCompleted},
		OrderBy: "created_at", Desc: true, Limit: 1}, &snaps)
	if err != nil || len(snaps) == 0 {
		return nil, err
	}
	return &snaps[0], nil
}

func latestCompletedCheckpoint(tx store.Tx, where store.Cols) (*api.Checkpoint, error) {
	where["status"] = api.CheckpointCompleted
	var cps []api.Checkpoint
	if err := tx.List(store.Checkpoints, store.Query{Where: where, OrderBy: "seq", Desc: true, Limit: 1}, &cps); err != nil || len(cps) == 0 {
		return nil, err
	}
	return &cps[0], nil
}

// onFlink tells whether a namespace's jobs run on a Flink cluster.
func (e *Engine) onFlink(tx store.Tx, nsID string) bool {
	var ns api.Namespace
	if tx.Get(store.Namespaces, nsID, &ns) != nil {
		return false
	}
	ws, err := workspaceOf(tx, ns)
	return err == nil && ws.Runtime.Type == api.RuntimeFlink
}

// nextCheckpointSeq continues a deployment's checkpoint numbering across its jobs.
func nextCheckpointSeq(tx store.Tx, depID string) (int64, error) {
	var cps []api.Checkpoint
	if err := tx.List(store.Checkpoints, store.Query{Where: store.Cols{"deployment_id": depID}, OrderBy: "seq", Desc: true, Limit: 1}, &cps); err != nil {
		return 0, err
	}
	if len(cps) == 0 {
		return 1, nil
	}
	return cps[0].Sequence + 1, nil
}

// pinSet counts the uses of snapshots and checkpoints that starts, restores and clones are reading, so
// neither cleanup nor a delete removes them meanwhile.
type pinSet struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *pinSet) pin(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[string]int{}
	}
	s.n[id]++
}

func (s *pinSet) unpin(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[id]--; s.n[id] <= 0 {
		delete(s.n, id)
	}
}

func (s *pinSet) pinned(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[id] > 0
}
