package engine

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// maxJarBytes bounds a jar fetched over http(s).
const maxJarBytes = 512 << 20

// jarProgram describes a JAR deployment's artifact. The bytes are read only when a runtime that runs
// code (flink) opens them: the local simulation never does, so any URI passes there.
func (e *Engine) jarProgram(_ context.Context, nsID string, jar api.JarSpec) (*runtime.JarProgram, error) {
	p := &runtime.JarProgram{Name: path.Base(jar.URI), EntryClass: jar.EntryClass, Args: jar.Args}
	switch {
	case strings.HasPrefix(jar.URI, "http://"), strings.HasPrefix(jar.URI, "https://"):
		if err := e.checkEndpoint("spec.jar.uri", jar.URI); err != nil { // the allowlist may have narrowed since
			return nil, err
		}
		p.Open = func(ctx context.Context) (io.ReadCloser, error) { return fetchJar(ctx, jar.URI) }
	default:
		p.Open = func(ctx context.Context) (io.ReadCloser, error) { return e.openFileResource(ctx, nsID, jar.URI, p) }
	}
	if !strings.HasSuffix(p.Name, ".jar") {
		p.Name += ".jar"
	}
	return p, nil
}

func fetchJar(ctx context.Context, uri string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, fmt.Errorf("spec.jar.uri %q: %w", uri, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("spec.jar.uri: fetch %s: %w", uri, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("spec.jar.uri: fetch %s: the server answered %s", uri, resp.Status)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, maxJarBytes), resp.Body}, nil
}

// openFileResource opens the bytes of the namespace's file resource named by id.
func (e *Engine) openFileResource(ctx context.Context, nsID, id string, p *runtime.JarProgram) (io.ReadCloser, error) {
	var rec objectRecord
	err := e.store.View(ctx, func(tx store.Tx) error { return tx.Get(store.Objects, id, &rec) })
	if err != nil || rec.Kind != api.KindFileResource || rec.NamespaceID != nsID {
		return nil, invalid("spec.jar.uri", "%q is neither an http(s) URL nor the id of a file resource in this namespace: upload the jar as a file resource and use its id", id)
	}
	st, err := e.namespaceStorage(ctx, nsID)
	if err != nil {
		return nil, err
	}
	key, err := currentFileKey(ctx, st, rec.Object)
	if err != nil {
		return nil, fmt.Errorf("spec.jar.uri: list the files of file resource %q: %w", rec.Name, err)
	}
	if key == "" {
		return nil, invalid("spec.jar.uri", "file resource %q has no content: upload it again", rec.Name)
	}
	p.Name = path.Base(key)
	rc, _, err := st.Get(ctx, key)
	return rc, err
}
