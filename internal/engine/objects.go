package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// objectRecord is an object as stored. Sealed holds an ENCRYPTED variable's value (the spec's Value is
// then empty), so the clear value is never written to the store nor returned.
type objectRecord struct {
	api.Object
	Sealed string `json:"sealed,omitempty"`
	// staged holds a file resource's bytes already written to storage for this change (never stored).
	staged *stagedFile
}

func objectCols(o api.Object) store.Cols {
	return store.Cols{"namespace_id": o.NamespaceID, "kind": o.Kind, "name": o.Name, "clone_id": o.CloneID}
}

func validKind(kind string) error {
	if !slices.Contains(api.AllKinds, kind) {
		return invalid("kind", "%q is not an object kind; use one of %s", kind, strings.Join(api.AllKinds, ", "))
	}
	return nil
}

// checkUnlocked refuses configuration changes in a namespace locked by a running clone. The clone
// executor itself (the system principal) passes.
func checkUnlocked(p Principal, ns api.Namespace) error {
	if ns.LockedBy != "" && p != system {
		return lockedErr(ns, "changed")
	}
	return nil
}

// CreateObject creates an object of kind in a namespace (Editor).
func (e *Engine) CreateObject(ctx context.Context, p Principal, nsID, kind string, in api.ObjectInput) (api.Object, error) {
	id := newID(idPrefix[kind])
	var staged *stagedFile
	if kind == api.KindFileResource && api.ValidateIdentifierName(in.Name) == nil {
		var err error
		if staged, err = e.stageInlineContent(ctx, p, nsID, id, in.Name, in.Spec); err != nil {
			return api.Object{}, err
		}
	}
	return e.createObject(ctx, p, nsID, kind, id, in, staged)
}

// createObject records a new object; staged (when not nil) holds its file bytes, removed on failure.
func (e *Engine) createObject(ctx context.Context, p Principal, nsID, kind, id string, in api.ObjectInput, staged *stagedFile) (api.Object, error) {
	var out api.Object
	err := e.store.Update(ctx, func(tx store.Tx) error {
		ns, err := requireRole(tx, p, nsID, api.RoleEditor)
		if err != nil {
			return err
		}
		// Kind and name are checked only once the caller is known to be allowed: authorization first.
		if err := validKind(kind); err != nil {
			return err
		}
		if err := validName("name", in.Name); err != nil {
			return err
		}
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		now := e.now()
		rec := objectRecord{Object: api.Object{ID: id, NamespaceID: nsID, Kind: kind, Name: in.Name,
			Version: 1, CreatedAt: now, UpdatedAt: now}, staged: staged}
		if err := e.prepareSpec(ctx, tx, p, ns, &rec, in.Spec); err != nil {
			return err
		}
		if err := insertObject(tx, rec); err != nil {
			return err
		}
		out = rec.Object
		return nil
	})
	if err != nil {
		staged.discard(e)
	}
	return out, exposeStorage(p, err)
}

// insertObject stores a new object and its first history entry.
func insertObject(tx store.Tx, rec objectRecord) error {
	err := tx.Insert(store.Objects, rec.ID, objectCols(rec.Object), rec)
	if errors.Is(err, store.ErrConflict) {
		return errf(api.CodeAlreadyExists, "namespace %s already has %s named %q: choose another name or import the existing one",
			rec.NamespaceID, singular(rec.Kind), rec.Name)
	}
	if err != nil {
		return err
	}
	return putVersion(tx, rec.Object)
}

func putVersion(tx store.Tx, o api.Object) error {
	v := api.ObjectVersion{ObjectID: o.ID, Version: o.Version, Spec: o.Spec, CreatedAt: o.UpdatedAt}
	return tx.Put(store.ObjectVersions, fmt.Sprintf("%s/%d", o.ID, o.Version), store.Cols{"object_id": o.ID, "version": o.Version}, v)
}

func singular(kind string) string {
	return "a " + strings.TrimSuffix(strings.ReplaceAll(kind, "_", " "), "s")
}

// loadObject reads an object and checks the caller's role on its namespace.
func loadObject(tx store.Tx, p Principal, id, role string) (objectRecord, api.Namespace, error) {
	var rec objectRecord
	if err := get(tx, store.Objects, "object", id, &rec); err != nil {
		return rec, api.Namespace{}, err
	}
	ns, err := requireRole(tx, p, rec.NamespaceID, role)
	return rec, ns, err
}

// GetObject returns an object (Viewer).
func (e *Engine) GetObject(ctx context.Context, p Principal, id string) (api.Object, error) {
	var rec objectRecord
	err := e.store.View(ctx, func(tx store.Tx) (err error) { rec, _, err = loadObject(tx, p, id, api.RoleViewer); return err })
	return rec.Object, err
}

// ListObjects lists the objects of a kind in a namespace (Viewer), optionally the one with a name.
func (e *Engine) ListObjects(ctx context.Context, p Principal, nsID, kind, name string, pg Paging) (api.Page[api.Object], error) {
	if err := validKind(kind); err != nil {
		return api.Page[api.Object]{}, err
	}
	var recs []objectRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleViewer); err != nil {
			return err
		}
		where := store.Cols{"namespace_id": nsID, "kind": kind}
		if name != "" {
			where["name"] = name
		}
		return tx.List(store.Objects, pg.query(where, "name", false), &recs)
	})
	out := make([]api.Object, len(recs))
	for i, r := range recs {
		out[i] = r.Object
	}
	return pageOf(out, pg), err
}

// UpdateObject replaces an object's spec (Editor). A stale version is refused with 412.
func (e *Engine) UpdateObject(ctx context.Context, p Principal, id string, in api.ObjectInput) (api.Object, error) {
	var staged *stagedFile
	if len(in.Spec) > 0 {
		var cur objectRecord
		err := e.store.View(ctx, func(tx store.Tx) (err error) { cur, _, err = loadObject(tx, p, id, api.RoleEditor); return err })
		if err != nil {
			return api.Object{}, err
		}
		if cur.Kind == api.KindFileResource {
			if staged, err = e.stageInlineContent(ctx, p, cur.NamespaceID, cur.ID, cur.Name, in.Spec); err != nil {
				return api.Object{}, err
			}
		}
	}
	return e.updateObject(ctx, p, id, in, staged)
}

// updateObject records an object's new spec; staged (when not nil) holds its new file bytes, removed on
// failure.
func (e *Engine) updateObject(ctx context.Context, p Principal, id string, in api.ObjectInput, staged *stagedFile) (api.Object, error) {
	var out api.Object
	err := e.store.Update(ctx, func(tx store.Tx) error {
		rec, ns, err := loadObject(tx, p, id, api.RoleEditor)
		if err != nil {
			return err
		}
		rec.staged = staged
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != rec.Version {
			return errf(api.CodePreconditionFailed, "%s %q is at version %d, not %d: it changed since you read it; read it again and retry",
				strings.TrimSuffix(rec.Kind, "s"), rec.Name, rec.Version, in.Version)
		}
		if in.Name != "" && in.Name != rec.Name {
			return invalid("name", "cannot rename %q to %q: names are fixed, create a new object instead", rec.Name, in.Name)
		}
		if err := e.prepareSpec(ctx, tx, p, ns, &rec, in.Spec); err != nil {
			return err
		}
		rec.Version++
		rec.UpdatedAt = e.now()
		if err := tx.Put(store.Objects, rec.ID, objectCols(rec.Object), rec); err != nil {
			return err
		}
		out = rec.Object
		return putVersion(tx, rec.Object)
	})
	if err != nil {
		staged.discard(e)
	}
	return out, exposeStorage(p, err)
}

// ListVersions lists an object's history, newest first (Viewer).
func (e *Engine) ListVersions(ctx context.Context, p Principal, id string, pg Paging) (api.Page[api.ObjectVersion], error) {
	var out []api.ObjectVersion
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, _, err := loadObject(tx, p, id, api.RoleViewer); err != nil {
			return err
		}
		return tx.List(store.ObjectVersions, pg.query(store.Cols{"object_id": id}, "version", true), &out)
	})
	return pageOf(out, pg), err
}

// DeleteObject deletes an object (Editor). A deployment's job is stopped and its state deleted.
func (e *Engine) DeleteObject(ctx context.Context, p Principal, id string) error {
	return exposeStorage(p, e.deleteObject(ctx, p, id, false))
}

func (e *Engine) deleteObject(ctx context.Context, p Principal, id string, force bool) error {
	var rec objectRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		var ns api.Namespace
		var err error
		if rec, ns, err = loadObject(tx, p, id, api.RoleEditor); err != nil {
			return err
		}
		if !force {
			return checkUnlocked(p, ns)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rec.Kind == api.KindDeployment || rec.Kind == api.KindFileResource {
		// Committed before any file goes: a crash midway leaves an object the next start finishes deleting
		// (see recoverState), never one whose files are gone.
		err := e.store.Update(ctx, func(tx store.Tx) error {
			// Checked in the transaction that marks it, so no reference can be added in between (a
			// reference to a DELETING file resource is refused). A forced namespace delete takes all.
			if rec.Kind == api.KindFileResource && !force {
				if err := checkFileResourceUnused(tx, rec.Object); err != nil {
					return err
				}
			}
			return setObjectStatus(tx, id, StatusDeleting)
		})
		if err != nil {
			return err
		}
	}
	switch rec.Kind {
	case api.KindDeployment:
		if err := e.deleteDeploymentRuntime(ctx, rec.Object); err != nil {
			return err
		}
	case api.KindFileResource:
		if st, err := e.namespaceStorage(ctx, rec.NamespaceID); err == nil {
			if err := st.DeletePrefix(ctx, fileResourcePrefix(rec.NamespaceID, rec.ID)); err != nil {
				return fmt.Errorf("delete the bytes of file resource %q: %w", rec.Name, err)
			}
		}
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.DeleteWhere(store.ObjectVersions, store.Cols{"object_id": id}); err != nil {
			return err
		}
		return tx.Delete(store.Objects, id)
	})
}

// specOf decodes an object's spec.
func specOf[T any](o api.Object) (T, error) {
	var v T
	if len(o.Spec) == 0 {
		return v, nil
	}
	err := json.Unmarshal(o.Spec, &v)
	return v, err
}
