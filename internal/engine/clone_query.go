package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// loadClone reads a clone task and checks the caller holds role on its target or its source namespace.
func loadClone(tx store.Tx, p Principal, id, role string) (cloneRecord, error) {
	var c cloneRecord
	if err := get(tx, store.Clones, "clone task", id, &c); err != nil {
		return c, err
	}
	if _, err := requireRole(tx, p, c.TargetNamespaceID, role); err != nil {
		if CodeOf(err) == api.CodeNotFound {
			// The target was deleted after the clone; its history stays readable through the source.
			_, err = requireRole(tx, p, c.SourceNamespaceID, role)
			return c, err
		}
		if _, err2 := requireRole(tx, p, c.SourceNamespaceID, role); err2 != nil {
			return c, err
		}
	}
	return c, nil
}

// public renders a task; while it runs, progress is counted from its items.
func (c cloneRecord) public(tx store.Tx) (api.Clone, error) {
	out := c.Clone
	// While it runs, counts come from the stored progress; renames and attention are summed up at the end
	// (GET /clones/{id}/renames lists them as they happen).
	if c.CancelRequested && !cloneEnded(c.Status) {
		out.Extra = map[string]string{"cancel_requested": "true"}
	}
	if out.Renames == nil {
		out.Renames = []api.Rename{}
	}
	if out.Attention == nil {
		out.Attention = []api.AttentionItem{}
	}
	return out, nil
}

// GetClone returns a clone task with its progress or history (Viewer on its target or source).
func (e *Engine) GetClone(ctx context.Context, p Principal, id string) (api.Clone, error) {
	var out api.Clone
	err := e.store.View(ctx, func(tx store.Tx) error {
		c, err := loadClone(tx, p, id, api.RoleViewer)
		if err != nil {
			return err
		}
		out, err = c.public(tx)
		return err
	})
	return out, err
}

// Clone listing directions.
const (
	DirectionTarget = "target"
	DirectionSource = "source"
	DirectionAny    = "any"
)

// ListClones lists the clone tasks of a namespace, newest first (Viewer): those cloning into it
// (direction target, the default), out of it (source), or both (any).
func (e *Engine) ListClones(ctx context.Context, p Principal, nsID, direction string, pg Paging) (api.Page[api.Clone], error) {
	if nsID == "" {
		return api.Page[api.Clone]{}, invalid("namespace_id", "name the namespace whose clone history to list")
	}
	if direction == "" {
		direction = DirectionTarget
	}
	if err := oneOf("direction", direction, DirectionTarget, DirectionSource, DirectionAny); err != nil {
		return api.Page[api.Clone]{}, err
	}
	var out []api.Clone
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleViewer); err != nil {
			return err
		}
		var recs []cloneRecord
		switch direction {
		case DirectionAny:
			var src, dst []cloneRecord
			if err := tx.List(store.Clones, store.Query{Where: store.Cols{"source_namespace_id": nsID}}, &src); err != nil {
				return err
			}
			if err := tx.List(store.Clones, store.Query{Where: store.Cols{"target_namespace_id": nsID}}, &dst); err != nil {
				return err
			}
			recs = mergeNewestFirst(src, dst)
			recs = recs[min(pg.offset, len(recs)):]
			if pg.Limit > 0 && len(recs) > pg.Limit+1 {
				recs = recs[:pg.Limit+1]
			}
		default:
			col := direction + "_namespace_id"
			if err := tx.List(store.Clones, pg.query(store.Cols{col: nsID}, "created_at", true), &recs); err != nil {
				return err
			}
		}
		for _, c := range recs {
			pub, err := c.public(tx)
			if err != nil {
				return err
			}
			out = append(out, pub)
		}
		return nil
	})
	return pageOf(out, pg), err
}

// mergeNewestFirst joins two task lists, newest first, without duplicates (ids break ties).
func mergeNewestFirst(a, b []cloneRecord) []cloneRecord {
	seen := map[string]bool{}
	var all []cloneRecord
	for _, c := range append(a, b...) {
		if !seen[c.ID] {
			seen[c.ID] = true
			all = append(all, c)
		}
	}
	sortClones(all)
	return all
}

func sortClones(cs []cloneRecord) {
	slices.SortFunc(cs, func(a, b cloneRecord) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// ListCloneItems lists a task's per-object outcomes in clone order (Viewer).
func (e *Engine) ListCloneItems(ctx context.Context, p Principal, id string, pg Paging) (api.Page[api.CloneItem], error) {
	var out []api.CloneItem
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := loadClone(tx, p, id, api.RoleViewer); err != nil {
			return err
		}
		var items []cloneItemRecord
		if err := tx.List(store.CloneItems, pg.query(store.Cols{"clone_id": id}, "seq", false), &items); err != nil {
			return err
		}
		for _, it := range items {
			out = append(out, it.CloneItem)
		}
		return nil
	})
	return pageOf(out, pg), err
}

// ListCloneRenames lists the names a task had to change in the target (Viewer).
func (e *Engine) ListCloneRenames(ctx context.Context, p Principal, id string, pg Paging) (api.Page[api.Rename], error) {
	var out []api.Rename
	err := e.store.View(ctx, func(tx store.Tx) error {
		c, err := loadClone(tx, p, id, api.RoleViewer)
		if err != nil {
			return err
		}
		if cloneEnded(c.Status) {
			out = c.Renames
			return nil
		}
		var items []cloneItemRecord
		if err := tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": id}, OrderBy: "seq"}, &items); err != nil {
			return err
		}
		pub := c.Clone
		summarise(&pub, items)
		out = pub.Renames
		return nil
	})
	out = out[min(pg.offset, len(out)):]
	return pageOf(out, pg), err
}

func cloneEnded(status string) bool { return status != api.ClonePending && status != api.CloneRunning }
