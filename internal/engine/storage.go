package engine

import (
	"context"
	"fmt"
	"path"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Key layout inside a namespace's storage. Every key starts with the namespace id, so managed storage
// can hold every namespace side by side.
func nsPrefix(nsID string) string { return path.Join("namespaces", nsID) + "/" }

func fileResourcePrefix(nsID, objID string) string { return nsPrefix(nsID) + "files/" + objID + "/" }

func checkpointPrefix(nsID, depID, jobID string) string {
	return nsPrefix(nsID) + "checkpoints/" + depID + "/" + jobID + "/"
}

func snapshotPrefix(nsID, snapID string) string { return nsPrefix(nsID) + "snapshots/" + snapID + "/" }

// storageOf returns the blob store of a workspace: managed storage, or its own OSS bucket.
func (e *Engine) storageOf(ctx context.Context, ws workspaceRecord) (blob.Store, error) {
	if ws.Storage.Type != api.StorageOSS {
		return e.managed, nil
	}
	e.storesMu.Lock()
	defer e.storesMu.Unlock()
	if c, ok := e.stores[ws.ID]; ok && c.version == ws.Version {
		return c.store, nil
	}
	if e.openS3 == nil {
		return nil, errf(api.CodeUnavailable, "this engine cannot reach OSS storage (workspace %q)", ws.Name)
	}
	// Checked on every open too: the operator may have narrowed --allow-endpoint since the workspace was made.
	if err := e.checkEndpoint("storage.endpoint", ws.Storage.Endpoint); err != nil {
		return nil, err
	}
	cfg, err := e.s3Config(ws)
	if err != nil {
		return nil, err
	}
	st, err := e.openS3(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open OSS storage of workspace %q (bucket %s): %w", ws.Name, ws.Storage.Bucket, err)
	}
	e.stores[ws.ID] = cachedStore{version: ws.Version, store: st}
	return st, nil
}

func (e *Engine) s3Config(ws workspaceRecord) (blob.S3Config, error) {
	s := ws.Storage
	cfg := blob.S3Config{Endpoint: s.Endpoint, Region: s.Region, Bucket: s.Bucket, Prefix: s.Prefix,
		PathStyle: s.PathStyle, AccessKeyID: s.AccessKeyID}
	if cfg.Region == "" {
		cfg.Region = ws.Region
	}
	if ws.SealedSecret != "" {
		secret, err := e.secrets.Open(ws.SealedSecret)
		if err != nil {
			return cfg, fmt.Errorf("workspace %q storage secret: %w", ws.Name, err)
		}
		cfg.SecretAccessKey = secret
	}
	return cfg, nil
}

// namespaceStorage returns the blob store holding a namespace's bytes.
func (e *Engine) namespaceStorage(ctx context.Context, nsID string) (blob.Store, error) {
	ws, err := e.namespaceWorkspace(ctx, nsID)
	if err != nil {
		return nil, err
	}
	return e.storageOf(ctx, ws)
}

// namespaceWorkspace reads the workspace a namespace belongs to (internal use, no access checks).
func (e *Engine) namespaceWorkspace(ctx context.Context, nsID string) (workspaceRecord, error) {
	var ws workspaceRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		var ns api.Namespace
		if err := get(tx, store.Namespaces, "namespace", nsID, &ns); err != nil {
			return err
		}
		var err error
		ws, err = workspaceOf(tx, ns)
		return err
	})
	return ws, err
}

// storeFileResource sets a file resource's spec to the bytes staged in storage before the transaction
// (file_resources.go): their size, sha256 and location. An update without content keeps the bytes. It
// does no I/O: it runs inside the transaction.
func (e *Engine) storeFileResource(rec *objectRecord, f *api.FileResourceSpec) error {
	if err := checkFileOrigin(f.Origin); err != nil {
		return err
	}
	if rec.staged != nil {
		*f = rec.staged.spec
		return nil
	}
	if f.Content != nil {
		return fmt.Errorf("file resource %q: its content was not staged before the transaction", rec.Name)
	}
	old, err := specOf[api.FileResourceSpec](rec.Object)
	if err != nil || old.Location == "" {
		return invalid("spec.content", "a file resource needs its content (base64, or PUT the raw bytes to /api/v1/namespaces/{id}/file-resources/{name})")
	}
	// An update without content keeps the bytes; an origin it carries replaces the recorded one (the
	// provider records a new source path for the same bytes this way).
	if f.Origin != nil {
		old.Origin = f.Origin
	}
	*f = old
	return nil
}
