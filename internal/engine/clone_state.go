package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// errNoState marks a deployment that has no state yet: it is cloned without state, which is no failure.
var errNoState = errors.New("no state to copy")

// stateCapable reports whether an engine version can clone state (VVR 6.0.2 or later).
func stateCapable(version string) bool {
	major, minor, patch, ok := ParseEngineVersion(version)
	if !ok {
		return false
	}
	return major > 6 || (major == 6 && (minor > 0 || patch >= 2))
}

// cloneStatefulDeployment clones one deployment with its newest state. The copy goes to the snapshot id
// planned for the item; whatever a crashed earlier run left there is removed and copied again. Only
// store errors are returned; the item's outcome is recorded.
func (r *cloneRun) cloneStatefulDeployment(ctx context.Context, it cloneItemRecord) error {
	var (
		dep     objectRecord
		spec    api.DeploymentSpec
		skip    string
		refusal string
	)
	err := r.e.store.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if dep, ok, err = r.source(tx, it); err != nil || !ok {
			return err
		}
		if spec, err = specOf[api.DeploymentSpec](dep.Object); err != nil {
			return err
		}
		if running, status, err := runningStreaming(tx, dep); err != nil {
			return err
		} else if running && r.clone.Request.RunningPolicy == api.RunningSkip {
			skip = fmt.Sprintf("its streaming job is %s and running_policy is SKIP", status)
		}
		_, _, refusal, err = r.targetName(tx, api.KindDeployment, dep.Name)
		return err
	})
	if err != nil {
		return err
	}
	if skip != "" || refusal != "" || dep.ID == "" {
		// Nothing to copy: let the transaction record the skip, refusal or missing source.
		return r.writeItem(ctx, it, cloneExtras{})
	}
	snap, err := r.copyState(ctx, &it, dep, spec)
	x := cloneExtras{snapshot: snap}
	switch {
	case errors.Is(err, errNoState):
		x.stateless = "cloned without state: the job has no completed snapshot or checkpoint yet"
	case err != nil && ctx.Err() != nil:
		return nil // the engine is stopping; the next start copies this item again
	case err != nil && r.clone.Request.ErrorPolicy == api.ErrorAllowStateless:
		x.stateless = fmt.Sprintf("cloned without state (error_policy ALLOW_STATELESS) because the state could not be cloned: %v", err)
	case err != nil:
		x.err = fmt.Errorf("cloning its state failed: %w", err)
	}
	if err := r.writeItem(ctx, it, x); err != nil {
		return err
	}
	return nil
}

// writeItem records one item (and its object) in a transaction of its own; a copied snapshot that ends
// up unused (the name was taken meanwhile) is removed.
func (r *cloneRun) writeItem(ctx context.Context, it cloneItemRecord, x cloneExtras) error {
	err := r.e.store.Update(ctx, func(tx store.Tx) error {
		if err := r.cloneObjectTx(tx, &it, x); err != nil {
			return err
		}
		if err := addProgress(tx, r.clone.ID, []cloneItemRecord{it}); err != nil {
			return err
		}
		if it.Status == api.ItemFailed && r.clone.Request.ErrorPolicy == api.ErrorStop {
			return r.stopTx(tx, it)
		}
		return nil
	})
	if x.snapshot != nil && (err != nil || it.Status != api.ItemSucceeded) {
		_ = r.dstStore.DeletePrefix(context.WithoutCancel(ctx), snapshotPrefix(r.clone.TargetNamespaceID, x.snapshot.ID))
	}
	return err
}

// copyState picks the newest state of a deployment (a fresh snapshot for a running job under
// DO_NOT_SKIP), copies it into the target's storage and verifies every file's sha256. It returns the
// COPIED snapshot to register, or errNoState.
func (r *cloneRun) copyState(ctx context.Context, it *cloneItemRecord, dep objectRecord, spec api.DeploymentSpec) (*api.Snapshot, error) {
	if !stateCapable(spec.EngineVersion) {
		return nil, fmt.Errorf("engine version %q cannot clone state: VVR 6.0.2 or later is needed", spec.EngineVersion)
	}
	src, err := r.stateSource(ctx, it, dep)
	if err != nil || src == nil {
		if err == nil {
			err = errNoState
		}
		return nil, err
	}
	defer r.e.pins.unpin(src.id)
	srcStore, err := r.e.namespaceStorage(ctx, src.namespaceID)
	if err != nil {
		return nil, err
	}
	started := r.e.now()
	prefix := snapshotPrefix(r.clone.TargetNamespaceID, it.SnapshotID)
	// A crashed earlier run may have left part of a copy here.
	if err := r.dstStore.DeletePrefix(ctx, prefix); err != nil {
		return nil, fmt.Errorf("remove a partial copy at %s: %w", r.dstStore.Location(prefix), err)
	}
	meta, err := runtime.CopyState(ctx, srcStore, src.prefix, r.dstStore, prefix, cloneFileParallel)
	if err == nil {
		// A linked copy shares the source's bytes, so reading the copy back is what proves them.
		_, err = runtime.VerifyState(ctx, r.dstStore, prefix)
	}
	if err != nil {
		_ = r.dstStore.DeletePrefix(context.WithoutCancel(ctx), prefix)
		return nil, fmt.Errorf("copy state %s: %w", src.id, err)
	}
	now := r.e.now()
	format := meta.SavepointFormat
	if format == "" {
		format = api.FormatNative
	}
	return &api.Snapshot{ID: it.SnapshotID, NamespaceID: r.clone.TargetNamespaceID, DeploymentID: it.TargetID,
		Format: format, Description: fmt.Sprintf("copied by clone task %s from %s of deployment %q", r.clone.ID, src.id, dep.Name),
		Origin: api.OriginCopied, Status: api.SnapshotCompleted, Location: r.dstStore.Location(prefix), SizeBytes: meta.SizeBytes(),
		Offset: meta.Offset, StateFingerprint: meta.Fingerprint, EngineVersion: spec.EngineVersion, CreatedAt: started,
		CompletedAt: &now, DurationMS: now.Sub(started).Milliseconds()}, nil
}

// stateSource chooses and pins the state to copy: for a running streaming job under DO_NOT_SKIP a
// snapshot taken now (origin AUTO_TRIGGERED: the system made it, so cleanup rules may remove it later),
// otherwise the newer of the latest completed snapshot and the latest retained checkpoint.
func (r *cloneRun) stateSource(ctx context.Context, it *cloneItemRecord, dep objectRecord) (*restoreChoice, error) {
	var choice *restoreChoice
	var running bool
	err := r.e.store.View(ctx, func(tx store.Tx) error {
		var err error
		if running, _, err = runningStreaming(tx, dep); err != nil || running {
			return err
		}
		snap, err := latestCompletedSnapshot(tx, dep.ID)
		if err != nil {
			return err
		}
		cp, err := latestCompletedCheckpoint(tx, store.Cols{"deployment_id": dep.ID})
		if err != nil {
			return err
		}
		switch {
		case cp != nil && (snap == nil || cp.CompletedAt.After(*snap.CompletedAt)):
			choice = checkpointChoice(dep.NamespaceID, *cp)
		case snap != nil:
			choice = snapshotChoice(*snap)
		}
		if choice != nil {
			r.e.pins.pin(choice.id) // inside the read, so cleanup cannot slip in between
		}
		return nil
	})
	if err != nil || !running {
		return choice, err
	}
	snap, err := r.snapshotRunning(ctx, it, dep)
	if err != nil {
		return nil, err
	}
	return snapshotChoice(snap), nil
}

// snapshotRunning takes (or, on resume, reuses) the snapshot of a running job, pinned, and waits for it.
func (r *cloneRun) snapshotRunning(ctx context.Context, it *cloneItemRecord, dep objectRecord) (api.Snapshot, error) {
	var snap api.Snapshot
	if it.SourceSnapshot != "" {
		err := r.e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Snapshots, it.SourceSnapshot, &snap) })
		if err == nil && (snap.Status == api.SnapshotCompleted || snap.Status == api.SnapshotStarted) {
			r.e.pins.pin(snap.ID)
			return r.waitSnapshot(ctx, snap)
		}
	}
	snap, err := r.e.createSnapshot(ctx, system, dep.ID, api.SnapshotRequest{
		Description: "taken by clone task " + r.clone.ID + " before copying the state"}, api.OriginAutoTriggered)
	if err != nil {
		return snap, fmt.Errorf("take a snapshot of the running job: %w", err)
	}
	r.e.pins.pin(snap.ID)
	it.SourceSnapshot = snap.ID
	if err := r.e.store.Update(ctx, func(tx store.Tx) error { return putCloneItem(tx, *it) }); err != nil {
		r.e.pins.unpin(snap.ID)
		return snap, err
	}
	return r.waitSnapshot(ctx, snap)
}

func (r *cloneRun) waitSnapshot(ctx context.Context, snap api.Snapshot) (api.Snapshot, error) {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for snap.Status == api.SnapshotStarted {
		select {
		case <-ctx.Done():
			r.e.pins.unpin(snap.ID)
			return snap, ctx.Err()
		case <-tick.C:
		}
		if err := r.e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Snapshots, snap.ID, &snap) }); err != nil {
			r.e.pins.unpin(snap.ID)
			return snap, err
		}
	}
	if snap.Status != api.SnapshotCompleted {
		r.e.pins.unpin(snap.ID)
		return snap, fmt.Errorf("the snapshot %s of the running job ended %s: %s", snap.ID, snap.Status, snap.Failure)
	}
	return snap, nil
}
