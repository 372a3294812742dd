package client

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// An upload that meets a busy engine, then a gateway that lost the answer, is sent whole each time and
// ends with the engine's object; the file is read from disk for every attempt.
func TestUploadIsRetriedWithTheWholeFile(t *testing.T) {
	content := strings.Repeat("jar bytes ", 100_000) // ~1 MB, more than one read
	path := filepath.Join(t.TempDir(), "udf.jar")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var bodies []string
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		switch n {
		case 1:
			w.Header().Set("Retry-After", "0")
			writeProblem(w, api.Problem{Status: 503, Code: api.CodeUnavailable, Detail: "too many uploads"})
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			writeJSON(w, http.StatusCreated, api.Object{ID: "file-1", Name: "udf.jar", Kind: api.KindFileResource})
		}
	})
	c := newTestClient(t, rec.srv.URL, 3)
	obj, err := c.UploadFileResource(context.Background(), "ns-1", "udf.jar", path, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if obj.ID != "file-1" || rec.count() != 3 {
		t.Fatalf("got %+v after %d requests, want file-1 after 3", obj, rec.count())
	}
	for i, b := range bodies {
		if b != content {
			t.Fatalf("attempt %d sent %d bytes, want the whole file (%d)", i+1, len(b), len(content))
		}
	}
	r := rec.requests[0]
	if r.Method != http.MethodPut || r.URL.Path != "/api/v1/namespaces/ns-1/file-resources/udf.jar" ||
		r.Header.Get("Content-Type") != "application/octet-stream" || r.Header.Get(api.HeaderIdempotencyKey) != "" {
		t.Fatalf("upload request: %s %s %v", r.Method, r.URL.Path, r.Header)
	}
	// Every attempt records where the bytes came from.
	for i, r := range rec.requests {
		if q := r.URL.Query(); q.Get("source") != path || q.Get("source_hash") != "h1" || q.Has("inline") {
			t.Fatalf("attempt %d: query %v, want source=%s&source_hash=h1", i+1, q, path)
		}
	}
}

// A file that cannot be read fails at once, naming the file, without calling the engine.
func TestUploadOfAMissingFileFailsBeforeTheCall(t *testing.T) {
	rec := newRecorder(t, func(int, http.ResponseWriter, *http.Request) {})
	c := newTestClient(t, rec.srv.URL, 3)
	_, err := c.UploadFileResource(context.Background(), "ns-1", "x.jar", filepath.Join(t.TempDir(), "missing.jar"), "")
	if err == nil || !strings.Contains(err.Error(), "missing.jar") || IsUnreachable(err) || rec.count() != 0 {
		t.Fatalf("err = %v after %d calls", err, rec.count())
	}
}
