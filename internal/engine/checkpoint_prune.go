package engine

import (
	"context"
	"errors"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// pruneDelays are when the engine looks, after a job ended: a cluster discards the checkpoints it does
// not retain while the job shuts down, usually within a second.
var pruneDelays = []time.Duration{time.Second, 5 * time.Second}

// forgetVanishedCheckpoints runs when a job ends: a cluster keeps the externalized checkpoints of a job
// that was cancelled or failed, but discards them when the job finished (Flink ends a stop with
// savepoint or drain FINISHED, whatever the engine calls it). The records of checkpoints whose
// _metadata is gone are removed, so no restore offers state that no longer exists. Local jobs keep
// their files, so nothing changes for them.
func (e *Engine) forgetVanishedCheckpoints(job api.Job) {
	if jobActive(job.Status) {
		return
	}
	e.goBackground(func(ctx context.Context) {
		for _, d := range pruneDelays {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
			e.forgetMissingCheckpoints(ctx, job)
		}
	})
}

// forgetMissingCheckpoints removes the records of a job's completed checkpoints whose _metadata is gone
// (also before a local job is resumed after a restart).
func (e *Engine) forgetMissingCheckpoints(ctx context.Context, job api.Job) {
	var cps []api.Checkpoint
	err := e.store.View(ctx, func(tx store.Tx) error {
		return tx.List(store.Checkpoints, store.Query{Where: store.Cols{"job_id": job.ID, "status": api.CheckpointCompleted}}, &cps)
	})
	if err != nil || len(cps) == 0 {
		return
	}
	st, err := e.namespaceStorage(ctx, job.NamespaceID)
	if err != nil {
		return
	}
	for _, c := range cps {
		_, err := st.Stat(ctx, runtime.JoinKey(checkpointStatePath(job.NamespaceID, c), runtime.MetadataFile))
		if !errors.Is(err, blob.ErrNotFound) || e.pins.pinned(c.ID) {
			continue
		}
		if err := e.store.Update(ctx, func(tx store.Tx) error { return tx.Delete(store.Checkpoints, c.ID) }); err != nil {
			e.log.Error("forget a discarded checkpoint", "checkpoint", c.ID, "err", err)
		}
	}
}
