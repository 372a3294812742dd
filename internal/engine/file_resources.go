package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// A file resource's bytes go to storage before the transaction that records them, never inside it
// (no network or disk I/O while the store's write lock is held; on PostgreSQL a retried transaction
// must have no side effects). When that transaction fails, the bytes just written are removed again.

// stagedFile is a file resource's bytes already written to storage under a key of their own.
type stagedFile struct {
	spec   api.FileResourceSpec
	st     blob.Store
	prefix string // everything under it belongs to this upload alone
}

// discard removes the bytes of an upload whose record was not committed.
func (s *stagedFile) discard(e *Engine) {
	if s == nil {
		return
	}
	if err := s.st.DeletePrefix(context.WithoutCancel(e.ctx), s.prefix); err != nil {
		e.log.Warn("remove the bytes of an uncommitted file resource upload", "prefix", s.prefix, "err", err)
	}
}

// stageFile streams r into the namespace's storage under a fresh key for object objID named name; origin
// says where the uploader took the bytes from (nil: it did not say).
func (e *Engine) stageFile(ctx context.Context, nsID, objID, name string, origin *api.FileOrigin, r io.Reader) (*stagedFile, error) {
	st, err := e.namespaceStorage(ctx, nsID)
	if err != nil {
		return nil, err
	}
	// Each upload gets a key of its own: blobs are immutable, and history entries keep pointing at theirs.
	prefix := fileResourcePrefix(nsID, objID) + newID("blob") + "/"
	info, err := st.Put(ctx, prefix+name, r)
	if err != nil {
		_ = st.DeletePrefix(context.WithoutCancel(ctx), prefix)
		return nil, fmt.Errorf("store file resource %q: %w", name, err)
	}
	return &stagedFile{spec: api.FileResourceSpec{Size: info.Size, SHA256: info.SHA256, Location: st.Location(prefix + name),
		Origin: origin}, st: st, prefix: prefix}, nil
}

// stageInlineContent uploads the base64 content of a JSON file resource spec before the transaction.
// It returns nil when the spec carries no content (an update that keeps the bytes).
func (e *Engine) stageInlineContent(ctx context.Context, p Principal, nsID, objID, name string, spec json.RawMessage) (*stagedFile, error) {
	var f api.FileResourceSpec
	if err := decodeStrict(spec, &f); err != nil || f.Content == nil {
		return nil, nil // prepareSpec reports a bad spec inside the transaction
	}
	if err := e.checkEditor(ctx, p, nsID); err != nil {
		return nil, err
	}
	staged, err := e.stageFile(ctx, nsID, objID, name, f.Origin, bytes.NewReader(f.Content))
	return staged, exposeStorage(p, err)
}

// checkEditor refuses, before any byte is written, a caller who may not change the namespace.
func (e *Engine) checkEditor(ctx context.Context, p Principal, nsID string) error {
	return e.store.View(ctx, func(tx store.Tx) error {
		ns, err := requireRole(tx, p, nsID, api.RoleEditor)
		if err != nil {
			return err
		}
		return checkUnlocked(p, ns)
	})
}

// UploadFileResource creates the file resource name in a namespace, or replaces its bytes, streaming r
// to storage without holding it in memory (Editor). origin, when not nil, is recorded with the bytes.
// created tells which it was.
func (e *Engine) UploadFileResource(ctx context.Context, p Principal, nsID, name string, origin *api.FileOrigin, r io.Reader) (obj api.Object, created bool, err error) {
	if err := checkFileOrigin(origin); err != nil {
		return api.Object{}, false, err
	}
	var existing []objectRecord
	err = e.store.View(ctx, func(tx store.Tx) error {
		ns, err := requireRole(tx, p, nsID, api.RoleEditor)
		if err != nil {
			return err
		}
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		if err := validName("name", name); err != nil {
			return err
		}
		return tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": nsID, "kind": api.KindFileResource, "name": name}}, &existing)
	})
	if err != nil {
		return api.Object{}, false, err
	}
	objID := newID(idPrefix[api.KindFileResource])
	if len(existing) > 0 {
		objID = existing[0].ID
	}
	staged, err := e.stageFile(ctx, nsID, objID, name, origin, r)
	if err != nil {
		return api.Object{}, false, exposeStorage(p, err)
	}
	in := api.ObjectInput{Name: name, Spec: json.RawMessage(`{}`)}
	if len(existing) > 0 {
		obj, err = e.updateObject(ctx, p, objID, in, staged)
	} else {
		obj, err = e.createObject(ctx, p, nsID, api.KindFileResource, objID, in, staged)
	}
	return obj, len(existing) == 0, err
}

// currentFileKey finds the storage key of a file resource's current bytes: every upload has a key of its
// own and older ones stay for the history, so the key is the one at the spec's location, not just any
// key under the object's prefix. It returns "" when none is there.
func currentFileKey(ctx context.Context, st blob.Store, f api.Object) (string, error) {
	spec, err := specOf[api.FileResourceSpec](f)
	if err != nil || spec.Location == "" {
		return "", err
	}
	var key string
	err = st.List(ctx, fileResourcePrefix(f.NamespaceID, f.ID), func(info blob.Info) error {
		if st.Location(info.Key) == spec.Location {
			key = info.Key
		}
		return nil
	})
	return key, err
}

// checkFileOrigin names the field at fault: an origin is a source (with an optional hash) or inline
// content, and its strings are descriptions, bounded.
func checkFileOrigin(o *api.FileOrigin) error {
	switch {
	case o == nil:
		return nil
	case o.Inline && (o.Source != "" || o.SourceHash != ""):
		return invalid("origin", "inline content has no source or source_hash: leave them out")
	case o.Source == "" && o.SourceHash != "":
		return invalid("origin.source_hash", "given without origin.source: set source too, or leave source_hash out")
	case len(o.Source) > api.MaxOriginText:
		return invalid("origin.source", "at most %d bytes", api.MaxOriginText)
	case len(o.SourceHash) > api.MaxOriginText:
		return invalid("origin.source_hash", "at most %d bytes", api.MaxOriginText)
	}
	return nil
}

// OpenFileResource opens the current bytes of the file resource name in a namespace (Viewer). The
// caller closes the reader.
func (e *Engine) OpenFileResource(ctx context.Context, p Principal, nsID, name string) (io.ReadCloser, blob.Info, error) {
	var found []objectRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		if _, err := requireRole(tx, p, nsID, api.RoleViewer); err != nil {
			return err
		}
		return tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": nsID, "kind": api.KindFileResource, "name": name}}, &found)
	})
	if err != nil {
		return nil, blob.Info{}, err
	}
	if len(found) == 0 || found[0].Status == StatusDeleting {
		return nil, blob.Info{}, notFound("file resource", name)
	}
	st, err := e.namespaceStorage(ctx, nsID)
	if err != nil {
		return nil, blob.Info{}, exposeStorage(p, err)
	}
	key, err := currentFileKey(ctx, st, found[0].Object)
	if err == nil && key == "" {
		err = fmt.Errorf("the bytes of file resource %q are missing from its storage", name)
	}
	if err != nil {
		return nil, blob.Info{}, exposeStorage(p, err)
	}
	rc, info, err := st.Get(ctx, key)
	return rc, info, exposeStorage(p, err)
}
