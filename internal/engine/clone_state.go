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

// errNoState marks a deployment that has no state yet: it is cloned without state, which is no failure.
var errNoState = errors.New("no state to copy")

// stateCapable reports whether an engine version can clone state: VVR 6.0.2 or later, or Apache Flink
// (whose savepoints are relocatable).
func stateCapable(version string) bool {
	v, ok := ParseEngineVersion(version)
	if !ok {
		return false
	}
	if !v.VVR {
		return true
	}
	return v.Major > 6 || (v.Major == 6 && (v.Minor > 0 || v.Patch >= 2))
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
	snap, notes, err := r.copyState(ctx, &it, dep, spec)
	x := cloneExtras{snapshot: snap, notes: notes}
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
	if x.snapshot != nil && (err != nil || it.Status != api.ItemSucceeded) && !lease.IsLost(ctx, err) {
		_ = r.dstStore.DeletePrefix(context.WithoutCancel(ctx), snapshotPrefix(r.clone.TargetNamespaceID, x.snapshot.ID))
	}
	return err
}

// copyState picks the newest state of a deployment (a fresh snapshot for a running job under
// DO_NOT_SKIP), copies it into the target's storage with the source runtime, which verifies the copy. It
// returns the COPIED snapshot to register and what the clone's attention list should say, or errNoState.
func (r *cloneRun) copyState(ctx context.Context, it *cloneItemRecord, dep objectRecord, spec api.DeploymentSpec) (*api.Snapshot, []api.AttentionItem, error) {
	if !stateCapable(spec.EngineVersion) {
		return nil, nil, fmt.Errorf("engine version %q cannot clone state: VVR 6.0.2 or later is needed", spec.EngineVersion)
	}
	srcRun, err := r.namespaceRuntime(ctx, dep.NamespaceID)
	if err != nil {
		return nil, nil, err
	}
	dstRun, err := r.namespaceRuntime(ctx, r.clone.TargetNamespaceID)
	if err != nil {
		return nil, nil, err
	}
	srcRT, srcWS, dstWS := srcRun.rt, srcRun.ws, dstRun.ws
	if srcWS.Runtime.Type != dstWS.Runtime.Type {
		return nil, nil, fmt.Errorf("its state was written by the %s runtime and cannot be restored on the target's %s runtime", srcWS.Runtime.Type, dstWS.Runtime.Type)
	}
	src, err := r.stateSource(ctx, it, dep)
	if err != nil || src == nil {
		if err == nil {
			err = errNoState
		}
		return nil, nil, err
	}
	started := r.e.now()
	prefix := snapshotPrefix(r.clone.TargetNamespaceID, it.SnapshotID)
	info, err := r.copyFrom(ctx, srcRT, src, prefix)
	var notes []api.AttentionItem
	if errors.Is(err, runtime.ErrNotRelocatable) {
		// A Flink checkpoint only works where it was written: carry the newest snapshot instead, and say so.
		skipped := src.id
		if src, err = r.newestSnapshot(ctx, dep); err == nil && src == nil {
			err = fmt.Errorf("its newest state is checkpoint %s, which cannot be moved to another namespace, and it has no snapshot: take a snapshot first (or clone with running_policy DO_NOT_SKIP while it runs)", skipped)
		}
		if err == nil {
			notes = append(notes, api.AttentionItem{Kind: "state_not_carried", Deployment: dep.Name, Name: skipped,
				Detail: fmt.Sprintf("the newest state, checkpoint %s, is not relocatable; snapshot %s (older) was carried instead", skipped, src.id)})
			info, err = r.copyFrom(ctx, srcRT, src, prefix)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	now := r.e.now()
	format := info.Format
	if format == "" {
		format = api.FormatNative
		if s, ok := r.sourceSnapshot(ctx, src.id); ok {
			format = s.Format
		}
	}
	return &api.Snapshot{ID: it.SnapshotID, NamespaceID: r.clone.TargetNamespaceID, DeploymentID: it.TargetID,
		Format: format, Description: fmt.Sprintf("copied by clone task %s from %s of deployment %q", r.clone.ID, src.id, dep.Name),
		Origin: api.OriginCopied, Status: api.SnapshotCompleted, Location: r.dstStore.Location(prefix), StatePath: prefix,
		SizeBytes: info.SizeBytes, Offset: info.Offset, StateFingerprint: info.Fingerprint, EngineVersion: spec.EngineVersion,
		CreatedAt: started, CompletedAt: &now, DurationMS: now.Sub(started).Milliseconds()}, notes, nil
}

// copyFrom copies one pinned state directory into prefix of the target's storage (removing what a
// crashed earlier run left there first), and unpins it.
func (r *cloneRun) copyFrom(ctx context.Context, rt runtime.Runtime, src *restoreChoice, prefix string) (runtime.StateInfo, error) {
	defer r.e.pins.unpin(src.id)
	srcStore := r.srcStore
	if src.namespaceID != r.clone.SourceNamespaceID { // a snapshot restored from another namespace
		var err error
		if srcStore, err = r.e.namespaceStorage(ctx, src.namespaceID); err != nil {
			return runtime.StateInfo{}, err
		}
	}
	if err := r.removePartialCopy(ctx, prefix); err != nil {
		return runtime.StateInfo{}, fmt.Errorf("remove a partial copy at %s: %w", r.dstStore.Location(prefix), err)
	}
	info, err := rt.CopyState(ctx, runtime.StateRef{Storage: srcStore, Prefix: src.prefix, Checkpoint: src.checkpoint}, r.dstStore, prefix)
	if err != nil {
		// After a known loss the prefix is the new owner's; otherwise removePartialCopy asks the store first
		// (a replica paused past its lease may not know it lost it). A fresh context: ours may be why we stopped.
		if !lease.IsLost(ctx, err) {
			_ = r.removePartialCopy(context.WithoutCancel(ctx), prefix)
		}
		return info, fmt.Errorf("copy state %s: %w", src.id, err)
	}
	return info, nil
}

// namespaceRuntime is a namespace's workspace and the runtime it runs jobs on.
type namespaceRuntime struct {
	rt runtime.Runtime
	ws workspaceRecord
}

// namespaceRuntime reads a namespace's runtime once per run: a stateful clone asks for the same two
// namespaces for every deployment, and two transactions per deployment were a third of its store work.
func (r *cloneRun) namespaceRuntime(ctx context.Context, nsID string) (namespaceRuntime, error) {
	r.mu.Lock()
	got, ok := r.runtimes[nsID]
	r.mu.Unlock()
	if ok {
		return got, nil
	}
	rt, ws, err := r.e.namespaceRuntime(ctx, nsID)
	if err != nil {
		return namespaceRuntime{}, err
	}
	got = namespaceRuntime{rt: rt, ws: ws}
	r.mu.Lock()
	if r.runtimes == nil {
		r.runtimes = map[string]namespaceRuntime{}
	}
	r.runtimes[nsID] = got
	r.mu.Unlock()
	return got, nil
}

// removePartialCopy removes what an earlier run, or a copy that just failed, left at prefix. With replicas, that run may belong to a
// replica that was paused past its lease and is still finishing a file when it wakes (it stops at its
// next check): a removal that races with such a write is tried again.
//
// Storage writes are not fenced by the lease as store transactions are, so every removal first asks the
// store whether this replica still holds the clone: one that woke after losing it stops here instead of
// removing the new owner's copy.
func (r *cloneRun) removePartialCopy(ctx context.Context, prefix string) error {
	var err error
	for _, wait := range []time.Duration{0, 50 * time.Millisecond, 200 * time.Millisecond, time.Second} {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if err = r.e.stillLeased(ctx); err != nil {
			return err
		}
		if err = r.dstStore.DeletePrefix(ctx, prefix); err == nil {
			return nil
		}
	}
	return err
}

// newestSnapshot pins and returns a deployment's newest completed snapshot, or nil.
func (r *cloneRun) newestSnapshot(ctx context.Context, dep objectRecord) (*restoreChoice, error) {
	var choice *restoreChoice
	err := r.e.store.View(ctx, func(tx store.Tx) error {
		snap, err := latestCompletedSnapshot(tx, dep.ID)
		if err == nil && snap != nil {
			choice = snapshotChoice(*snap)
			r.e.pins.pin(choice.id)
		}
		return err
	})
	return choice, err
}

func (r *cloneRun) sourceSnapshot(ctx context.Context, id string) (api.Snapshot, bool) {
	var s api.Snapshot
	err := r.e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Snapshots, id, &s) })
	return s, err == nil
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

// cloneSnapshotTimeout bounds the wait for the snapshot a DO_NOT_SKIP clone takes of a running job: no
// wait in a clone is unbounded (a cancel ends it sooner).
const cloneSnapshotTimeout = 30 * time.Minute

func (r *cloneRun) waitSnapshot(ctx context.Context, snap api.Snapshot) (api.Snapshot, error) {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(cloneSnapshotTimeout)
	defer deadline.Stop()
	for snap.Status == api.SnapshotStarted {
		select {
		case <-ctx.Done():
			r.e.pins.unpin(snap.ID)
			return snap, ctx.Err()
		case <-deadline.C:
			r.e.pins.unpin(snap.ID)
			return snap, fmt.Errorf("the snapshot %s of the running job did not complete within %s", snap.ID, cloneSnapshotTimeout)
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
