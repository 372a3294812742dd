package engine

import (
	"bytes"
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
	if err != nil {
		return nil, err
	}
	return e.storageOf(ctx, ws)
}

// storeFileResource writes a file resource's bytes to namespace storage (once per version) and replaces
// the content in the spec with its size, sha256 and location. An update without content keeps the bytes.
func (e *Engine) storeFileResource(ctx context.Context, tx store.Tx, ns api.Namespace, rec *objectRecord, f *api.FileResourceSpec) error {
	if f.Content == nil {
		old, err := specOf[api.FileResourceSpec](rec.Object)
		if err != nil || old.Location == "" {
			return invalid("spec.content", "a file resource needs its content (base64)")
		}
		*f = old
		return nil
	}
	ws, err := workspaceOf(tx, ns)
	if err != nil {
		return err
	}
	st, err := e.storageOf(ctx, ws)
	if err != nil {
		return err
	}
	// Each upload gets a key of its own: blobs are immutable, and history entries keep pointing at theirs.
	key := fileResourcePrefix(ns.ID, rec.ID) + newID("blob") + "/" + rec.Name
	info, err := st.Put(ctx, key, bytes.NewReader(f.Content))
	if err != nil {
		return fmt.Errorf("store file resource %q: %w", rec.Name, err)
	}
	*f = api.FileResourceSpec{Size: info.Size, SHA256: info.SHA256, Location: st.Location(key)}
	return nil
}
