package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// cloneBatchSize is how many stateless items one transaction writes: a transaction per item would make
// a large clone as slow as creating every object by hand.
const cloneBatchSize = 256

// cloneStateParallel is how many deployments copy state at once (each copies its files in parallel too).
// The work waits on fsyncs and the store's writer far more than on the CPU: 8 cloned 200 deployments of
// 5 MB in 0.44-0.53 s where 4 took 0.64-0.77 s on 2 cores (BenchmarkStatefulClone); 12 and 16 gained
// nothing more.
const cloneStateParallel = 8

// cloneFileParallel is how many files of one state directory are copied at once.
const cloneFileParallel = 8

// beforeItem runs the test hook (Engine.cloneItemHook, set from export_test.go) before an item. The hook
// gets the executor's context, so a held item is released when the engine closes.
func (e *Engine) beforeItem(ctx context.Context, it api.CloneItem) {
	if e.cloneItemHook != nil {
		e.cloneItemHook(ctx, it)
	}
}

// resumeClones continues every clone that had not ended when the engine last stopped.
func (e *Engine) resumeClones(ctx context.Context) {
	var open []cloneRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		for _, st := range []string{api.ClonePending, api.CloneRunning} {
			var cs []cloneRecord
			if err := tx.List(store.Clones, store.Query{Where: store.Cols{"status": st}, OrderBy: "created_at"}, &cs); err != nil {
				return err
			}
			open = append(open, cs...)
		}
		return nil
	})
	if err != nil {
		e.log.Error("list interrupted clones", "err", err)
		return
	}
	for _, c := range open {
		e.log.Info("resuming clone", "clone", c.ID)
		e.executeClone(c.ID)
	}
}

// runClone executes a clone's pending items in dependency order and ends it. When ctx ends (the engine
// stops) it returns with the task still RUNNING, to be resumed by the next start.
func (e *Engine) runClone(ctx context.Context, id string) {
	c, err := e.markCloneRunning(ctx, id)
	if err != nil {
		e.log.Error("start clone", "clone", id, "err", err)
		return
	}
	if c.Status != api.CloneRunning {
		return // already ended
	}
	items, err := e.cloneItems(ctx, id)
	if err != nil {
		e.log.Error("read clone items", "clone", id, "err", err)
		return
	}
	run := &cloneRun{e: e, clone: c}
	// work ends when the engine stops (ctx) or the task is cancelled, so a cancel interrupts any wait or
	// copy at once; ctx alone tells the two apart: a stopping engine leaves the task to the next start.
	parent := ctx
	ctx, stopWork := context.WithCancel(parent)
	defer stopWork()
	e.cloneWork.Store(id, stopWork)
	defer e.cloneWork.Delete(id)
	if cancelRequested(id) {
		stopWork()
	}
	for _, kind := range c.ObjectTypes {
		var pending []cloneItemRecord
		for _, it := range items {
			if it.Kind == kind && it.Status == api.ItemPending {
				pending = append(pending, it)
			}
		}
		if len(pending) == 0 {
			continue
		}
		if err := run.prepareKind(ctx, kind); err != nil {
			e.log.Error("clone", "clone", id, "kind", kind, "err", err)
			if parent.Err() != nil {
				return
			}
			if ctx.Err() != nil {
				break // cancelled
			}
			e.finishClone(parent, id, fmt.Sprintf("cloning %s failed: %v", kind, err))
			return
		}
		if kind == api.KindDeployment && c.Request.StatePolicy == api.StateStateful {
			err = run.statefulItems(ctx, pending)
		} else {
			err = run.batches(ctx, pending)
		}
		if parent.Err() != nil {
			return
		}
		if ctx.Err() != nil {
			break // cancelled: finishClone records CANCELLED
		}
		if err != nil {
			e.log.Error("clone", "clone", id, "kind", kind, "err", err)
			e.finishClone(parent, id, fmt.Sprintf("cloning %s failed: %v", kind, err))
			return
		}
		if stop, _ := run.shouldStop(ctx); stop {
			break
		}
	}
	if parent.Err() == nil {
		e.finishClone(parent, id, "")
	}
}

func (e *Engine) markCloneRunning(ctx context.Context, id string) (cloneRecord, error) {
	var c cloneRecord
	err := e.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.Get(store.Clones, id, &c); err != nil {
			return err
		}
		if c.Status != api.ClonePending {
			return nil
		}
		now := e.now()
		c.Status, c.StartedAt = api.CloneRunning, &now
		return putClone(tx, c)
	})
	return c, err
}

func (e *Engine) cloneItems(ctx context.Context, id string) ([]cloneItemRecord, error) {
	var items []cloneItemRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		return tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": id}, OrderBy: "seq"}, &items)
	})
	return items, err
}

// cancelledClones holds the ids of tasks cancelled through this engine, so an executor sees a cancel
// between two items without reading the store each time (the stored flag covers other engines).
var cancelledClones sync.Map

func cancelRequested(id string) bool { _, ok := cancelledClones.Load(id); return ok }

// shouldStop reports whether the task was cancelled or stopped by the STOP error policy.
func (r *cloneRun) shouldStop(ctx context.Context) (bool, error) {
	if r.stopped() || cancelRequested(r.clone.ID) {
		return true, nil
	}
	var c cloneRecord
	if err := r.e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Clones, r.clone.ID, &c) }); err != nil {
		return false, err
	}
	return c.CancelRequested || c.Stopped, nil
}

// batches clones items in transactions of cloneBatchSize.
func (r *cloneRun) batches(ctx context.Context, pending []cloneItemRecord) error {
	for start := 0; start < len(pending); start += cloneBatchSize {
		if stop, err := r.shouldStop(ctx); stop || err != nil {
			return err
		}
		batch := pending[start:min(start+cloneBatchSize, len(pending))]
		extras := make([]cloneExtras, 0, len(batch))
		for i := range batch {
			r.e.beforeItem(ctx, batch[i].CloneItem)
			if ctx.Err() != nil {
				return nil
			}
			if cancelRequested(r.clone.ID) {
				batch = batch[:i]
				break
			}
			extras = append(extras, r.prepareItem(ctx, batch[i]))
		}
		var tx *batchTx
		err := r.e.store.Update(ctx, func(stx store.Tx) error {
			tx = newBatchTx(stx, r.clone.TargetNamespaceID, r.taken)
			if err := r.cloneBatch(tx, batch, extras); err != nil {
				return err
			}
			return tx.flushAll()
		})
		if err != nil {
			return err
		}
		tx.committed()
	}
	return nil
}

// cloneBatch clones one batch's items inside tx and records the progress.
func (r *cloneRun) cloneBatch(tx store.Tx, batch []cloneItemRecord, extras []cloneExtras) error {
	ended := make([]cloneItemRecord, 0, len(batch))
	for i := range batch {
		it := batch[i]
		if err := r.cloneObjectTx(tx, &it, extras[i]); err != nil {
			return err
		}
		ended = append(ended, it)
		if it.Status == api.ItemFailed && r.clone.Request.ErrorPolicy == api.ErrorStop {
			if err := addProgress(tx, r.clone.ID, ended); err != nil {
				return err
			}
			return r.stopTx(tx, it)
		}
	}
	return addProgress(tx, r.clone.ID, ended)
}

// statefulItems copies deployments with their state on cloneStateParallel workers, one transaction each.
func (r *cloneRun) statefulItems(ctx context.Context, pending []cloneItemRecord) error {
	if r.clone.Request.ErrorPolicy == api.ErrorStop {
		// "The first failure" is only well defined in order: under STOP, one deployment at a time.
		for _, it := range pending {
			r.e.beforeItem(ctx, it.CloneItem)
			if stop, err := r.shouldStop(ctx); stop || err != nil || ctx.Err() != nil {
				return err
			}
			if err := r.cloneStatefulDeployment(ctx, it); err != nil {
				return err
			}
		}
		return nil
	}
	next := make(chan cloneItemRecord)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var firstErr error
	for range cloneStateParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range next {
				if err := r.cloneStatefulDeployment(ctx, it); err != nil && ctx.Err() == nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
				}
			}
		}()
	}
	for _, it := range pending {
		r.e.beforeItem(ctx, it.CloneItem)
		errMu.Lock()
		failed := firstErr != nil
		errMu.Unlock()
		if stop, _ := r.shouldStop(ctx); stop || failed || ctx.Err() != nil {
			break
		}
		next <- it
	}
	close(next)
	wg.Wait()
	return firstErr
}

// stopTx records that the STOP policy ended the task at item it.
func (r *cloneRun) stopTx(tx store.Tx, it cloneItemRecord) error {
	var c cloneRecord
	if err := tx.Get(store.Clones, r.clone.ID, &c); err != nil {
		return err
	}
	if c.Stopped {
		return nil
	}
	c.Stopped = true
	c.Failure = fmt.Sprintf("stopped at the first failure (error_policy STOP): %s %q: %s", singular(it.Kind)[2:], it.SourceName, it.Message)
	r.markStopped()
	return putClone(tx, c)
}

// CancelClone asks a running clone to stop (Editor on either namespace). Items not yet cloned are
// skipped; what was cloned stays. It returns the task; it ends CANCELLED shortly after.
func (e *Engine) CancelClone(ctx context.Context, p Principal, id string) (api.Clone, error) {
	var c cloneRecord
	err := e.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if c, err = loadClone(tx, p, id, api.RoleEditor); err != nil {
			return err
		}
		if c.Status != api.ClonePending && c.Status != api.CloneRunning {
			return errf(api.CodeConflict, "clone task %s already ended (%s): there is nothing to cancel", id, c.Status)
		}
		c.CancelRequested = true
		return putClone(tx, c)
	})
	if err != nil {
		return api.Clone{}, err
	}
	cancelledClones.Store(id, true)
	if stop, ok := e.cloneWork.Load(id); ok {
		stop.(context.CancelFunc)() // interrupts a wait for a snapshot or a copy under way
	}
	return e.GetClone(ctx, p, id)
}

// finishClone ends a task: pending items become SKIPPED, the status follows from the outcomes, both
// namespaces are unlocked, all in one transaction.
func (e *Engine) finishClone(ctx context.Context, id, failure string) {
	err := e.store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		var c cloneRecord
		if err := tx.Get(store.Clones, id, &c); err != nil {
			return err
		}
		var items []cloneItemRecord
		if err := tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": id}, OrderBy: "seq"}, &items); err != nil {
			return err
		}
		reason := "not cloned: the task ended before this object"
		switch {
		case c.CancelRequested:
			reason = "not cloned: the task was cancelled"
		case c.Stopped:
			reason = "not cloned: the task stopped at the first failure (error_policy STOP)"
		}
		succeeded := 0
		for i := range items {
			switch items[i].Status {
			case api.ItemPending:
				items[i].Status, items[i].Message = api.ItemSkipped, reason
				if err := putCloneItem(tx, items[i]); err != nil {
					return err
				}
			case api.ItemSucceeded:
				succeeded++
			}
		}
		summarise(&c.Clone, items)
		now := e.now()
		c.FinishedAt = &now
		switch {
		case c.CancelRequested:
			c.Status = api.CloneCancelled
		case failure != "":
			c.Status, c.Failure = api.CloneFailed, failure
		case c.Stopped:
			c.Status = api.CloneFailed
		case c.FailedCount == 0:
			c.Status = api.CloneSucceeded
		case succeeded == 0:
			c.Status, c.Failure = api.CloneFailed, fmt.Sprintf("all %d failed objects are listed in the items", c.FailedCount)
		default:
			c.Status = api.ClonePartiallySucceeded
		}
		for _, nsID := range []string{c.SourceNamespaceID, c.TargetNamespaceID} {
			var ns api.Namespace
			if err := tx.Get(store.Namespaces, nsID, &ns); err != nil || ns.LockedBy != id {
				continue
			}
			ns.LockedBy = ""
			if err := tx.Put(store.Namespaces, ns.ID, store.Cols{"workspace_id": ns.WorkspaceID, "name": ns.Name}, ns); err != nil {
				return err
			}
		}
		return putClone(tx, c)
	})
	if err != nil {
		e.log.Error("finish clone", "clone", id, "err", err)
		return
	}
	cancelledClones.Delete(id)
}
