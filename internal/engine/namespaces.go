package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

func validName(field, name string) error {
	if err := api.ValidateIdentifierName(name); err != nil {
		return invalid(field, "%v", err)
	}
	return nil
}

// CreateNamespace creates a namespace in a workspace; only the workspace Owner may. The caller becomes
// the namespace's OWNER.
func (e *Engine) CreateNamespace(ctx context.Context, p Principal, wsID string, in api.NamespaceInput) (api.Namespace, error) {
	now := e.now()
	ns := api.Namespace{ID: newID("ns"), WorkspaceID: wsID, Name: in.Name, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := e.store.Update(ctx, func(tx store.Tx) error {
		ws, err := loadWorkspace(tx, p, wsID)
		if err != nil {
			return err
		}
		if err := requireWorkspaceOwner(p, ws.Workspace, "create namespaces in it"); err != nil {
			return err
		}
		// The name is checked only once the caller is known to be allowed: authorization before validation.
		if err := validName("name", in.Name); err != nil {
			return err
		}
		err = tx.Insert(store.Namespaces, ns.ID, store.Cols{"workspace_id": wsID, "name": ns.Name}, ns)
		if errors.Is(err, store.ErrConflict) {
			return errf(api.CodeAlreadyExists, "workspace %q already has a namespace named %q", ws.Name, ns.Name)
		}
		if err != nil || p.Admin {
			return err
		}
		return putMember(tx, api.Member{NamespaceID: ns.ID, User: p.User, Role: api.RoleOwner, CreatedAt: now})
	})
	return ns, err
}

// GetNamespace returns a namespace the caller can read.
func (e *Engine) GetNamespace(ctx context.Context, p Principal, id string) (api.Namespace, error) {
	var ns api.Namespace
	err := e.store.View(ctx, func(tx store.Tx) (err error) { ns, err = requireRole(tx, p, id, api.RoleViewer); return err })
	return ns, err
}

// ListNamespaces lists the namespaces of a workspace that the caller has a role on (all for its Owner),
// optionally only the one with a given name.
func (e *Engine) ListNamespaces(ctx context.Context, p Principal, wsID, name string, pg Paging) (api.Page[api.Namespace], error) {
	var out []api.Namespace
	err := e.store.View(ctx, func(tx store.Tx) error {
		ws, err := loadWorkspace(tx, p, wsID)
		if err != nil {
			return err
		}
		where := store.Cols{"workspace_id": wsID}
		if name != "" {
			where["name"] = name
		}
		var nss []api.Namespace
		if err := tx.List(store.Namespaces, store.Query{Where: where, OrderBy: "name"}, &nss); err != nil {
			return err
		}
		for _, ns := range nss {
			role, err := roleOn(tx, p, ns.ID)
			if err != nil {
				return err
			}
			if role != "" || ws.Owner == p.User {
				out = append(out, ns)
			}
		}
		return nil
	})
	out = out[min(pg.offset, len(out)):]
	return pageOf(out, pg), err
}

// NamespaceContents counts the objects in a namespace per kind.
func (e *Engine) NamespaceContents(ctx context.Context, p Principal, id string) (api.NamespaceContents, error) {
	var c api.NamespaceContents
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, id, api.RoleViewer); err != nil {
			return err
		}
		var err error
		c, err = contents(tx, id)
		return err
	})
	return c, err
}

func contents(tx store.Tx, nsID string) (api.NamespaceContents, error) {
	c := api.NamespaceContents{Counts: map[string]int{}}
	for _, kind := range api.AllKinds {
		n, err := tx.Count(store.Objects, store.Cols{"namespace_id": nsID, "kind": kind})
		if err != nil {
			return c, err
		}
		if n > 0 {
			c.Counts[kind] = n
			c.Total += n
		}
	}
	return c, nil
}

// DeleteNamespace deletes a namespace. One that still holds objects is refused with namespace_not_empty
// (counts per kind) unless force is set, which stops and deletes everything inside. A namespace in a
// running clone cannot be deleted.
func (e *Engine) DeleteNamespace(ctx context.Context, p Principal, id string, force bool) error {
	return exposeStorage(p, e.deleteNamespace(ctx, p, id, force))
}

func (e *Engine) deleteNamespace(ctx context.Context, p Principal, id string, force bool) error {
	var ns api.Namespace
	err := e.store.View(ctx, func(tx store.Tx) (err error) {
		if ns, err = requireRole(tx, p, id, api.RoleOwner); err != nil {
			return err
		}
		if ns.LockedBy != "" {
			return lockedErr(ns, "deleted")
		}
		if err := checkNoOutsideDependants(tx, p, ns); err != nil {
			return err
		}
		c, err := contents(tx, id)
		if err != nil {
			return err
		}
		if c.Total > 0 && !force {
			parts := make([]string, 0, len(c.Counts))
			for _, k := range api.AllKinds {
				if n := c.Counts[k]; n > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n, k))
				}
			}
			return &Error{Code: api.CodeNamespaceNotEmpty, Counts: c.Counts, Message: fmt.Sprintf(
				"namespace %q still holds %s: delete them first, or delete with force (force_destroy = true) to stop and delete everything inside",
				ns.Name, strings.Join(parts, ", "))}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if force {
		if err := e.deleteAllObjects(ctx, id); err != nil {
			return err
		}
	}
	if err := e.deleteNamespaceSnapshots(ctx, id); err != nil {
		return err
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		var cur api.Namespace
		if err := get(tx, store.Namespaces, "namespace", id, &cur); err != nil {
			return err
		}
		if cur.LockedBy != "" {
			return lockedErr(cur, "deleted")
		}
		if err := checkNoOutsideDependants(tx, p, cur); err != nil {
			return err
		}
		if n, err := tx.Count(store.Snapshots, store.Cols{"namespace_id": id}); err != nil || n > 0 {
			if err == nil {
				err = errf(api.CodeConflict, "namespace %q gained %d snapshot(s) while being deleted: retry", ns.Name, n)
			}
			return err
		}
		if n, err := tx.Count(store.Objects, store.Cols{"namespace_id": id}); err != nil || n > 0 {
			if err == nil {
				err = errf(api.CodeConflict, "namespace %q gained %d object(s) while being deleted: retry", ns.Name, n)
			}
			return err
		}
		if _, err := tx.DeleteWhere(store.Members, store.Cols{"namespace_id": id}); err != nil {
			return err
		}
		return tx.Delete(store.Namespaces, id)
	})
}

// deleteAllObjects deletes every object of a namespace, deployments first (their jobs stop).
func (e *Engine) deleteAllObjects(ctx context.Context, nsID string) error {
	for i := len(api.AllKinds) - 1; i >= 0; i-- {
		var objs []objectRecord
		err := e.store.View(ctx, func(tx store.Tx) error {
			return tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": nsID, "kind": api.AllKinds[i]}}, &objs)
		})
		if err != nil {
			return err
		}
		for _, o := range objs {
			if err := e.deleteObject(ctx, system, o.ID, true); err != nil && CodeOf(err) != api.CodeNotFound {
				return err
			}
		}
	}
	return nil
}

func lockedErr(ns api.Namespace, what string) *Error {
	return &Error{Code: api.CodeLocked, TaskID: ns.LockedBy, Message: fmt.Sprintf(
		"namespace %q is locked by running clone task %s and cannot be %s until it ends: wait for it or cancel it",
		ns.Name, ns.LockedBy, what)}
}

// Members.

func putMember(tx store.Tx, m api.Member) error {
	return tx.Put(store.Members, memberID(m.NamespaceID, m.User), store.Cols{"namespace_id": m.NamespaceID, "user": m.User}, m)
}

// ListMembers lists a namespace's members (Viewer).
func (e *Engine) ListMembers(ctx context.Context, p Principal, nsID string, pg Paging) (api.Page[api.Member], error) {
	var out []api.Member
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleViewer); err != nil {
			return err
		}
		return tx.List(store.Members, pg.query(store.Cols{"namespace_id": nsID}, "user", false), &out)
	})
	return pageOf(out, pg), err
}

// GetMember returns one member (Viewer).
func (e *Engine) GetMember(ctx context.Context, p Principal, nsID, user string) (api.Member, error) {
	var m api.Member
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleViewer); err != nil {
			return err
		}
		return get(tx, store.Members, "member", memberID(nsID, user), &m)
	})
	return m, err
}

// PutMember sets a user's role (Owner only).
func (e *Engine) PutMember(ctx context.Context, p Principal, nsID, user string, in api.MemberInput) (api.Member, error) {
	if _, ok := roleRank[in.Role]; !ok {
		return api.Member{}, invalid("role", "%q must be one of OWNER, EDITOR, VIEWER", in.Role)
	}
	m := api.Member{NamespaceID: nsID, User: user, Role: in.Role, CreatedAt: e.now()}
	err := e.store.Update(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleOwner); err != nil {
			return err
		}
		if err := e.ensureUser(tx, user); err != nil {
			return err
		}
		var old api.Member
		if tx.Get(store.Members, memberID(nsID, user), &old) == nil {
			if in.CreateOnly {
				return errf(api.CodeAlreadyExists, "user %q already has the role %s in namespace %s: import it "+
					"instead of adding it again (its import id is %s/%s)", user, old.Role, nsID, nsID, user)
			}
			m.CreatedAt = old.CreatedAt
			if old.Role == api.RoleOwner && m.Role != api.RoleOwner {
				if err := keepAnOwner(tx, nsID, user, "demoted to "+m.Role); err != nil {
					return err
				}
			}
		}
		return putMember(tx, m)
	})
	return m, err
}

// DeleteMember removes a user's role (Owner only).
func (e *Engine) DeleteMember(ctx context.Context, p Principal, nsID, user string) error {
	return e.store.Update(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleOwner); err != nil {
			return err
		}
		var m api.Member
		if err := get(tx, store.Members, "member", memberID(nsID, user), &m); err != nil {
			return err
		}
		if m.Role == api.RoleOwner {
			if err := keepAnOwner(tx, nsID, user, "removed"); err != nil {
				return err
			}
		}
		return tx.Delete(store.Members, memberID(nsID, user))
	})
}

// keepAnOwner refuses a change that would leave a namespace without an OWNER: someone must always be
// able to manage its members (the engine admin is not a member).
func keepAnOwner(tx store.Tx, nsID, user, change string) error {
	var members []api.Member
	if err := tx.List(store.Members, store.Query{Where: store.Cols{"namespace_id": nsID}}, &members); err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == api.RoleOwner && m.User != user {
			return nil
		}
	}
	return errf(api.CodeConflict, "user %q is the last OWNER of namespace %s and cannot be %s: make another member OWNER first", user, nsID, change)
}
