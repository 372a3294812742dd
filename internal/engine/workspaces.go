package engine

import (
	"context"
	"errors"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// workspaceRecord is a workspace as stored: the storage secret sealed, never in the clear.
type workspaceRecord struct {
	api.Workspace
	SealedSecret string `json:"sealed_secret,omitempty"`
}

// public is the workspace as p may see it: the secret never; the storage location and credential id
// only for the admin and the workspace Owner, who manage them. Namespace members need neither: their
// snapshots' locations already say where their own state is.
func (r workspaceRecord) public(p Principal) api.Workspace {
	w := r.Workspace
	w.Storage.SecretAccessKey = ""
	w.Storage.HasSecret = r.SealedSecret != ""
	if !p.Admin && p.User != r.Owner {
		w.Storage = api.Storage{Type: r.Storage.Type}
	}
	return w
}

func validateWorkspace(in *api.WorkspaceInput) error {
	if err := api.ValidateDisplayName(in.Name); err != nil {
		return invalid("name", "%v", err)
	}
	if in.Region == "" {
		return invalid("region", "must not be empty (for example \"cn-hangzhou\" or \"us-east-1\")")
	}
	if in.Architecture != api.ArchX86 && in.Architecture != api.ArchARM64 {
		return invalid("architecture", "%q must be %q or %q", in.Architecture, api.ArchX86, api.ArchARM64)
	}
	s := in.Storage
	switch s.Type {
	case "", api.StorageManaged:
		if s.Bucket != "" || s.Endpoint != "" || s.AccessKeyID != "" || s.SecretAccessKey != "" {
			return invalid("storage", "managed storage takes no endpoint, bucket or credentials; set type = \"oss\" to use your own bucket")
		}
		in.Storage.Type = api.StorageManaged
	case api.StorageOSS:
		if s.Bucket == "" {
			return invalid("storage.bucket", "OSS storage needs a bucket")
		}
		if s.Endpoint == "" {
			return invalid("storage.endpoint", "OSS storage needs an endpoint URL (for example https://oss-cn-hangzhou.aliyuncs.com)")
		}
	default:
		return invalid("storage.type", "%q must be %q or %q", s.Type, api.StorageManaged, api.StorageOSS)
	}
	return validateRuntime(&in.Runtime)
}

// CreateWorkspace creates a workspace (admin only: a workspace is an account-level purchase, and its
// storage endpoint is a host the engine will contact). Its owner is in.Owner, or the caller.
func (e *Engine) CreateWorkspace(ctx context.Context, p Principal, in api.WorkspaceInput) (api.Workspace, error) {
	if !p.Admin {
		return api.Workspace{}, errf(api.CodeForbidden, "user %q cannot create workspaces: only the engine admin creates a workspace "+
			"(and names its owner); ask the admin to create it with owner = %q", p.User, p.User)
	}
	if err := validateWorkspace(&in); err != nil {
		return api.Workspace{}, err
	}
	if err := e.checkStorageEndpoint(in.Storage); err != nil {
		return api.Workspace{}, err
	}
	owner := in.Owner
	if owner == "" {
		owner = p.User
	}
	rt, err := e.probeRuntime(ctx, in.Runtime)
	if err != nil {
		return api.Workspace{}, err
	}
	now := e.now()
	rec := workspaceRecord{Workspace: api.Workspace{ID: newID("ws"), Name: in.Name, Region: in.Region,
		Architecture: in.Architecture, Storage: in.Storage, Runtime: rt, CloneEnabled: in.CloneEnabled, Owner: owner,
		Version: 1, CreatedAt: now, UpdatedAt: now}}
	if err := e.sealStorageSecret(&rec, in.Storage.SecretAccessKey); err != nil {
		return api.Workspace{}, err
	}
	err = e.store.Update(ctx, func(tx store.Tx) error {
		if owner != AdminUser {
			if err := e.ensureUser(tx, owner); err != nil {
				return invalid("owner", "%q is not a valid user name (letters, digits and . _ @ -, at most 128)", owner)
			}
		}
		return tx.Insert(store.Workspaces, rec.ID, store.Cols{"name": rec.Name}, rec)
	})
	return rec.public(p), err
}

func (e *Engine) checkStorageEndpoint(s api.Storage) error {
	if s.Type != api.StorageOSS {
		return nil
	}
	return e.checkEndpoint("storage.endpoint", s.Endpoint)
}

// storageChanged reports whether in would change where or with which credentials the workspace's
// storage is reached.
func (e *Engine) storageChanged(rec workspaceRecord, in api.Storage) bool {
	old := rec.Storage
	if in.Endpoint != old.Endpoint || in.Region != old.Region || in.Bucket != old.Bucket || in.Prefix != old.Prefix ||
		in.PathStyle != old.PathStyle || in.AccessKeyID != old.AccessKeyID {
		return true
	}
	if in.SecretAccessKey == "" {
		return false
	}
	current, err := e.secrets.Open(rec.SealedSecret)
	return rec.SealedSecret == "" || err != nil || current != in.SecretAccessKey
}

func (e *Engine) sealStorageSecret(rec *workspaceRecord, secret string) error {
	rec.Storage.SecretAccessKey = ""
	if secret == "" {
		return nil
	}
	sealed, err := e.secrets.Seal(secret)
	rec.SealedSecret = sealed
	return err
}

// canSeeWorkspace: the admin, the owner, and members of any namespace in it.
func canSeeWorkspace(tx store.Tx, p Principal, ws api.Workspace) (bool, error) {
	if p.Admin || ws.Owner == p.User {
		return true, nil
	}
	var nss []api.Namespace
	if err := tx.List(store.Namespaces, store.Query{Where: store.Cols{"workspace_id": ws.ID}}, &nss); err != nil {
		return false, err
	}
	for _, ns := range nss {
		role, err := roleOn(tx, p, ns.ID)
		if err != nil || role != "" {
			return role != "", err
		}
	}
	return false, nil
}

func loadWorkspace(tx store.Tx, p Principal, id string) (workspaceRecord, error) {
	var rec workspaceRecord
	if err := get(tx, store.Workspaces, "workspace", id, &rec); err != nil {
		return rec, err
	}
	ok, err := canSeeWorkspace(tx, p, rec.Workspace)
	if err == nil && !ok {
		err = errf(api.CodeForbidden, "user %q has no access to workspace %q: ask its owner %q", p.User, rec.Name, rec.Owner)
	}
	return rec, err
}

func requireWorkspaceOwner(p Principal, ws api.Workspace, action string) error {
	if p.Admin || ws.Owner == p.User {
		return nil
	}
	return errf(api.CodeForbidden, "only the workspace Owner (%q) may %s", ws.Owner, action)
}

// GetWorkspace returns a workspace the caller can see.
func (e *Engine) GetWorkspace(ctx context.Context, p Principal, id string) (api.Workspace, error) {
	var rec workspaceRecord
	err := e.store.View(ctx, func(tx store.Tx) (err error) { rec, err = loadWorkspace(tx, p, id); return err })
	return rec.public(p), err
}

// ListWorkspaces lists the workspaces the caller can see.
func (e *Engine) ListWorkspaces(ctx context.Context, p Principal, pg Paging) (api.Page[api.Workspace], error) {
	var out []api.Workspace
	err := e.store.View(ctx, func(tx store.Tx) error {
		var recs []workspaceRecord
		if err := tx.List(store.Workspaces, store.Query{OrderBy: "name"}, &recs); err != nil {
			return err
		}
		for _, r := range recs {
			if ok, err := canSeeWorkspace(tx, p, r.Workspace); err != nil {
				return err
			} else if ok {
				out = append(out, r.public(p))
			}
		}
		return nil
	})
	// Visibility is filtered in Go, so page over the filtered list.
	start := min(pg.offset, len(out))
	out = out[start:]
	return pageOf(out, pg), err
}

// UpdateWorkspace changes a workspace's name, clone switch and storage location/credentials. Region,
// architecture and storage type are fixed at creation.
func (e *Engine) UpdateWorkspace(ctx context.Context, p Principal, id string, in api.WorkspaceInput) (api.Workspace, error) {
	if err := validateWorkspace(&in); err != nil {
		return api.Workspace{}, err
	}
	if !p.Admin {
		// Refused before the probe below contacts anything: only the admin points a workspace at a cluster.
		var cur workspaceRecord
		err := e.store.View(ctx, func(tx store.Tx) (err error) { cur, err = loadWorkspace(tx, p, id); return err })
		if err != nil {
			return api.Workspace{}, err
		}
		if !sameRuntime(cur.Runtime, in.Runtime) {
			return api.Workspace{}, errf(api.CodeForbidden, "only the engine admin may change the runtime of workspace %q", cur.Name)
		}
	}
	rt, err := e.probeRuntime(ctx, in.Runtime)
	if err != nil {
		return api.Workspace{}, err
	}
	var rec workspaceRecord
	err = e.store.Update(ctx, func(tx store.Tx) (err error) {
		if rec, err = loadWorkspace(tx, p, id); err != nil {
			return err
		}
		if err := requireWorkspaceOwner(p, rec.Workspace, "change it"); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != rec.Version {
			return errf(api.CodePreconditionFailed, "workspace %q is at version %d, not %d: read it again and retry", rec.Name, rec.Version, in.Version)
		}
		switch {
		case in.Region != rec.Region:
			return invalid("region", "cannot change from %q to %q: create a new workspace", rec.Region, in.Region)
		case in.Architecture != rec.Architecture:
			return invalid("architecture", "cannot change from %q to %q: create a new workspace", rec.Architecture, in.Architecture)
		case in.Storage.Type != rec.Storage.Type:
			return invalid("storage.type", "cannot change from %q to %q: create a new workspace", rec.Storage.Type, in.Storage.Type)
		}
		owner := in.Owner
		if owner != "" && owner != rec.Owner {
			if !p.Admin {
				return errf(api.CodeForbidden, "only the engine admin may change the owner of workspace %q", rec.Name)
			}
			if owner != AdminUser {
				if err := e.ensureUser(tx, owner); err != nil {
					return invalid("owner", "%q is not a valid user name (letters, digits and . _ @ -, at most 128)", owner)
				}
			}
			rec.Owner = owner
		}
		if e.storageChanged(rec, in.Storage) {
			if !p.Admin {
				return errf(api.CodeForbidden, "only the engine admin may change the storage endpoint, bucket or credentials of workspace %q", rec.Name)
			}
			if err := e.checkStorageEndpoint(in.Storage); err != nil {
				return err
			}
		}
		if !sameRuntime(rec.Runtime, rt) {
			if !p.Admin {
				return errf(api.CodeForbidden, "only the engine admin may change the runtime of workspace %q", rec.Name)
			}
			if n, err := activeJobsIn(tx, rec.ID); err != nil {
				return err
			} else if n > 0 {
				return errf(api.CodeConflict, "workspace %q has %d active job(s) on its %s runtime: stop them before changing runtime", rec.Name, n, rec.Runtime.Type)
			}
		}
		rec.Name, rec.CloneEnabled, rec.Runtime = in.Name, in.CloneEnabled, rt
		sealed := rec.SealedSecret
		rec.Storage = in.Storage
		if in.Storage.SecretAccessKey != "" {
			if err := e.sealStorageSecret(&rec, in.Storage.SecretAccessKey); err != nil {
				return err
			}
		} else {
			rec.SealedSecret = sealed
		}
		rec.Version++
		rec.UpdatedAt = e.now()
		return tx.Put(store.Workspaces, rec.ID, store.Cols{"name": rec.Name}, rec)
	})
	return rec.public(p), err
}

// sameRuntime tells whether two runtime settings run jobs in the same place.
func sameRuntime(a, b api.Runtime) bool {
	return a.Type == b.Type && a.RESTURL == b.RESTURL && a.SQLGatewayURL == b.SQLGatewayURL
}

// DeleteWorkspace deletes an empty workspace.
func (e *Engine) DeleteWorkspace(ctx context.Context, p Principal, id string) error {
	return e.store.Update(ctx, func(tx store.Tx) error {
		rec, err := loadWorkspace(tx, p, id)
		if err != nil {
			return err
		}
		if err := requireWorkspaceOwner(p, rec.Workspace, "delete it"); err != nil {
			return err
		}
		n, err := tx.Count(store.Namespaces, store.Cols{"workspace_id": id})
		if err != nil {
			return err
		}
		if n > 0 {
			return errf(api.CodeConflict, "workspace %q still has %d namespace(s): delete them first", rec.Name, n)
		}
		return tx.Delete(store.Workspaces, id)
	})
}

// workspaceOf loads the workspace a namespace belongs to, without access checks (internal use).
func workspaceOf(tx store.Tx, ns api.Namespace) (workspaceRecord, error) {
	var rec workspaceRecord
	err := tx.Get(store.Workspaces, ns.WorkspaceID, &rec)
	if errors.Is(err, store.ErrNotFound) {
		return rec, notFound("workspace", ns.WorkspaceID)
	}
	return rec, err
}
