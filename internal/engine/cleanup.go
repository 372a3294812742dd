package engine

import (
	"context"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// applyCleanup deletes the AUTO_TRIGGERED snapshots of a deployment that its cleanup rule no longer
// keeps, and returns when the next kept one expires (zero when none will).
//
// Rules: manual snapshots (any other origin) are never touched. COMPLETED and FAILED auto snapshots are
// ranked newest first, each status on its own: one beyond KeepCount, or older than MaxAge (when set), is
// deleted — except the newest of each status (the newest completed one stays restorable, the newest
// failed one stays in the overview). A snapshot that a start, restore or clone is reading, or that a
// deployment uses as its restore point, is skipped and looked at again later. Deletion marks the
// snapshot DELETING in the same transaction that checks the pins (a start refuses a DELETING snapshot),
// then deletes files first and the record last; a failure leaves FAILED_DELETION, never an orphan.
func (e *Engine) applyCleanup(ctx context.Context, depID string, rule api.Cleanup) (time.Time, error) {
	now := e.now()
	var doomed []api.Snapshot
	var next time.Time
	sooner := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	err := e.store.Update(ctx, func(tx store.Tx) error {
		doomed, next = nil, time.Time{}
		var snaps []api.Snapshot
		if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"deployment_id": depID, "origin": api.OriginAutoTriggered},
			OrderBy: "created_at", Desc: true}, &snaps); err != nil {
			return err
		}
		var inUse map[string][]string // restore points, read once, only when something is to be deleted
		rank := map[string]int{}
		for _, s := range snaps {
			if s.Status != api.SnapshotCompleted && s.Status != api.SnapshotFailed {
				continue // being written, being deleted, or a failed deletion the user must look at
			}
			position := rank[s.Status]
			rank[s.Status]++
			if position == 0 {
				continue // the newest of its status is always kept
			}
			maxAge := rule.MaxAge.Std()
			expires := s.CreatedAt.Add(maxAge)
			if position < rule.KeepCount && (maxAge <= 0 || now.Before(expires)) {
				if maxAge > 0 {
					sooner(expires)
				}
				continue
			}
			if inUse == nil {
				var err error
				if inUse, err = restorePoints(tx); err != nil {
					return err
				}
			}
			if e.pins.pinned(s.ID) || len(inUse[s.ID]) > 0 {
				sooner(now.Add(cleanupRetryDelay))
				continue
			}
			s.Status = api.SnapshotDeleting
			if err := putSnapshot(tx, s); err != nil {
				return err
			}
			doomed = append(doomed, s)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	for _, s := range doomed {
		if err := e.removeSnapshot(ctx, s); err != nil {
			e.log.Error("cleanup: delete snapshot", "snapshot", s.ID, "deployment", depID, "err", err)
		} else {
			e.log.Info("cleanup: deleted snapshot", "snapshot", s.ID, "deployment", depID, "created_at", s.CreatedAt)
		}
	}
	return next, nil
}
