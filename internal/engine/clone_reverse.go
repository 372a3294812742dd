package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// DeleteClone removes a clone task from use (Editor on the target namespace). Without deleteCreated
// nothing is removed: the task's history stays, as the product keeps clone history, and nil is
// returned. With deleteCreated the objects the task created are deleted, newest kind first (deployments
// with their copied state); an object changed since the clone (its version moved) is kept and reported.
// A running task cannot be deleted: cancel it first. Either way the task's client token is released: a
// create with it starts a new clone.
func (e *Engine) DeleteClone(ctx context.Context, p Principal, id string, deleteCreated bool) (*api.Clone, error) {
	var c cloneRecord
	var items []cloneItemRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		var err error
		if c, err = loadClone(tx, p, id, api.RoleViewer); err != nil {
			return err
		}
		if _, err := requireRole(tx, p, c.TargetNamespaceID, api.RoleEditor); err != nil {
			return err
		}
		if c.Status == api.ClonePending || c.Status == api.CloneRunning {
			return &Error{Code: api.CodeCloneRunning, TaskID: c.ID, Message: fmt.Sprintf(
				"clone task %s is still %s: cancel it (POST /clones/%s/cancel) and delete it once it ended", c.ID, c.Status, c.ID)}
		}
		var target api.Namespace
		if err := get(tx, store.Namespaces, "namespace", c.TargetNamespaceID, &target); err != nil {
			if deleteCreated {
				return err
			}
			return nil
		}
		if deleteCreated && target.LockedBy != "" {
			return lockedErr(target, "changed")
		}
		return tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": id, "status": api.ItemSucceeded}, OrderBy: "seq", Desc: true}, &items)
	})
	if err != nil {
		return nil, err
	}
	if !deleteCreated {
		return nil, e.store.Update(ctx, func(tx store.Tx) error {
			if err := tx.Get(store.Clones, id, &c); err != nil || c.Released {
				return err
			}
			c.Released = true
			return putClone(tx, c)
		})
	}
	del := api.CloneDeletion{Deleted: []string{}, Kept: []string{}}
	if c.Deleted != nil {
		del.Deleted = append(del.Deleted, c.Deleted.Deleted...)
	}
	// Items are listed newest first, so dependants (deployments) go before what they depend on.
	for _, it := range items {
		var obj objectRecord
		err := e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Objects, it.TargetID, &obj) })
		if err != nil {
			continue // already gone
		}
		label := fmt.Sprintf("%s %q (%s)", singular(it.Kind)[2:], obj.Name, obj.ID)
		if obj.CloneID != c.ID || obj.Version != it.TargetVersion {
			del.Kept = append(del.Kept, label+fmt.Sprintf(": changed since the clone (version %d, cloned as %d)", obj.Version, it.TargetVersion))
			continue
		}
		if err := e.deleteObject(ctx, system, obj.ID, true); err != nil && CodeOf(err) != api.CodeNotFound {
			return nil, exposeStorage(p, fmt.Errorf("delete %s created by clone task %s: %w", label, c.ID, err))
		}
		del.Deleted = append(del.Deleted, label)
	}
	slices.Sort(del.Kept)
	var out api.Clone
	err = e.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.Get(store.Clones, id, &c); err != nil {
			return err
		}
		c.Deleted, c.Released = &del, true
		if err := putClone(tx, c); err != nil {
			return err
		}
		out, err = c.public(tx)
		return err
	})
	return &out, err
}
