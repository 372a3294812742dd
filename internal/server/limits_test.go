package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/server"
)

// unsized hides a reader's length, so the request goes chunked (no Content-Length to refuse early).
type unsized struct{ io.Reader }

// Item 11: JSON bodies are limited to MaxBody (1 MiB by default), with and without Content-Length;
// file uploads to MaxUpload.
func TestBodyLimitsPerRoute(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{Server: server.Options{MaxBody: 4 << 10, MaxUpload: 64 << 10}})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	big := `{"user":"bob","description":"` + strings.Repeat("d", 8<<10) + `"}`
	wantProblem(t, rawString(t, env, "POST", "/api/v1/tokens", adminAuth, big), http.StatusRequestEntityTooLarge, "payload_too_large")
	wantProblem(t, raw(t, env, "POST", "/api/v1/tokens", adminAuth, unsized{strings.NewReader(big)}), http.StatusRequestEntityTooLarge, "payload_too_large")
	// Inline base64 content is a JSON body like any other.
	inline, _ := json.Marshal(api.ObjectInput{Name: "f", Spec: mustJSON(api.FileResourceSpec{Content: make([]byte, 8<<10)})})
	wantProblem(t, raw(t, env, "POST", "/api/v1/namespaces/"+ns.ID+"/objects/file_resources", adminAuth, bytes.NewReader(inline)),
		http.StatusRequestEntityTooLarge, "payload_too_large")

	upload := "/api/v1/namespaces/" + ns.ID + "/file-resources/udf.jar"
	data := bytes.Repeat([]byte("0123456789abcdef"), 3<<10) // 48 KiB: above MaxBody, within MaxUpload
	r := raw(t, env, "PUT", upload, adminAuth, unsized{bytes.NewReader(data)})
	if r.status != http.StatusCreated {
		t.Fatalf("upload within the limit: got %d %s", r.status, r.body)
	}
	before := countFiles(t, env.DataDir)
	wantProblem(t, raw(t, env, "PUT", upload, adminAuth, unsized{bytes.NewReader(make([]byte, 65<<10))}), http.StatusRequestEntityTooLarge, "payload_too_large")
	wantProblem(t, raw(t, env, "PUT", upload, adminAuth, bytes.NewReader(make([]byte, 65<<10))), http.StatusRequestEntityTooLarge, "payload_too_large")
	if after := countFiles(t, env.DataDir); after != before {
		t.Fatalf("a refused upload left files behind: %d files before, %d after", before, after)
	}
}

// Item 11: the streaming upload creates a file resource (201), replaces its bytes (200, next version)
// and records size and sha256 of exactly what was sent.
func TestFileResourceUploadStreamsToStorage(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	path := "/api/v1/namespaces/" + ns.ID + "/file-resources/udf.jar"
	for i, want := range []int{http.StatusCreated, http.StatusOK} {
		data := bytes.Repeat([]byte{byte('a' + i)}, 3<<20) // 3 MiB: beyond the JSON limit
		r := raw(t, env, "PUT", path, adminAuth, unsized{bytes.NewReader(data)})
		if r.status != want {
			t.Fatalf("upload %d: got %d %s, want %d", i+1, r.status, r.body, want)
		}
		var obj api.Object
		if err := json.Unmarshal(r.body, &obj); err != nil {
			t.Fatal(err)
		}
		var spec api.FileResourceSpec
		if err := json.Unmarshal(obj.Spec, &spec); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if spec.Size != int64(len(data)) || spec.SHA256 != hex.EncodeToString(sum[:]) || obj.Version != int64(i+1) {
			t.Fatalf("upload %d recorded size %d sha %s version %d", i+1, spec.Size, spec.SHA256, obj.Version)
		}
	}
	// A viewer cannot upload, and nothing reaches storage for it.
	viewer := "Bearer " + userToken(t, env, "vera")
	admin.Must(t, "PUT", "/namespaces/"+ns.ID+"/members/vera", api.MemberInput{Role: api.RoleViewer}, nil)
	before := countFiles(t, env.DataDir)
	wantProblem(t, rawString(t, env, "PUT", "/api/v1/namespaces/"+ns.ID+"/file-resources/other.jar", viewer, "bytes"), http.StatusForbidden, api.CodeForbidden)
	wantProblem(t, rawString(t, env, "PUT", "/api/v1/namespaces/"+ns.ID+"/file-resources/bad%20name", adminAuth, "bytes"), http.StatusBadRequest, api.CodeInvalidArgument)
	if after := countFiles(t, env.DataDir); after != before {
		t.Fatalf("refused uploads wrote %d files", after-before)
	}
}

// The upload records where the bytes came from (?source=&source_hash=, or ?inline=true) and the engine
// gives it back, so an import of a file resource restores the configuration's source; new bytes without
// it record none, an update without content replaces only the record, and GET streams the bytes back.
func TestFileResourceOriginAndDownload(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	path := "/api/v1/namespaces/" + ns.ID + "/file-resources/udf.jar"
	originOf := func(r reply) (api.Object, *api.FileOrigin) {
		t.Helper()
		var obj api.Object
		var spec api.FileResourceSpec
		if err := json.Unmarshal(r.body, &obj); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(obj.Spec, &spec); err != nil {
			t.Fatal(err)
		}
		return obj, spec.Origin
	}

	r := rawString(t, env, "PUT", path+"?source=build%2Fudf+1.jar&source_hash=abc", adminAuth, "jar v1")
	obj, origin := originOf(r)
	if r.status != http.StatusCreated || origin == nil || *origin != (api.FileOrigin{Source: "build/udf 1.jar", SourceHash: "abc"}) {
		t.Fatalf("upload with source: %d, origin %+v", r.status, origin)
	}
	var got api.Object
	admin.Must(t, "GET", "/objects/"+obj.ID, nil, &got)
	if _, origin := originOf(reply{body: mustJSON(got)}); origin == nil || origin.Source != "build/udf 1.jar" {
		t.Fatalf("a read gives the origin back: %+v", origin)
	}

	// Anyone who can read the namespace can read the bytes back, with their digest.
	viewer := "Bearer " + userToken(t, env, "vera")
	admin.Must(t, "PUT", "/namespaces/"+ns.ID+"/members/vera", api.MemberInput{Role: api.RoleViewer}, nil)
	d := rawString(t, env, "GET", path, viewer, "")
	sum := sha256.Sum256([]byte("jar v1"))
	if d.status != http.StatusOK || string(d.body) != "jar v1" || d.header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` ||
		d.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %d %q %v", d.status, d.body, d.header)
	}
	wantProblem(t, rawString(t, env, "GET", "/api/v1/namespaces/"+ns.ID+"/file-resources/none.jar", viewer, ""), http.StatusNotFound, api.CodeNotFound)
	outsider := "Bearer " + userToken(t, env, "olga")
	if r := rawString(t, env, "GET", path, outsider, ""); r.status < 400 || strings.Contains(string(r.body), "jar v1") {
		t.Fatalf("a non-member read the bytes: %d %q", r.status, r.body)
	}

	// An update without content keeps the bytes and replaces the origin (a new path for the same file).
	var updated api.Object
	admin.Must(t, "PUT", "/objects/"+obj.ID, api.ObjectInput{Spec: json.RawMessage(`{"origin":{"source":"dist/udf.jar"}}`), Version: obj.Version}, &updated)
	if _, origin := originOf(reply{body: mustJSON(updated)}); origin == nil || *origin != (api.FileOrigin{Source: "dist/udf.jar"}) ||
		updated.Version != obj.Version+1 || !bytes.Contains(updated.Spec, []byte(hex.EncodeToString(sum[:]))) {
		t.Fatalf("origin-only update: %s (version %d)", updated.Spec, updated.Version)
	}

	// Inline bytes say so; bytes uploaded without an origin record none (the old one described other bytes).
	if _, origin := originOf(rawString(t, env, "PUT", path+"?inline=true", adminAuth, "text")); origin == nil || *origin != (api.FileOrigin{Inline: true}) {
		t.Fatalf("inline upload: origin %+v", origin)
	}
	if _, origin := originOf(rawString(t, env, "PUT", path, adminAuth, "jar v2")); origin != nil {
		t.Fatalf("an upload without origin kept the old one: %+v", origin)
	}

	// A contradictory origin is refused before any byte is stored, naming the field.
	before := countFiles(t, env.DataDir)
	bad := rawString(t, env, "PUT", path+"?inline=true&source=a.jar", adminAuth, "jar v3")
	wantProblem(t, bad, http.StatusBadRequest, api.CodeInvalidArgument)
	if !strings.Contains(bad.problem.Detail, "origin") || countFiles(t, env.DataDir) != before {
		t.Fatalf("refused origin: %q, %d files written", bad.problem.Detail, countFiles(t, env.DataDir)-before)
	}
	wantProblem(t, rawString(t, env, "PUT", path+"?source_hash=x", adminAuth, "jar v3"), http.StatusBadRequest, api.CodeInvalidArgument)
}

// Item 11 and STYLE.md: file bytes are written before the transaction, and removed when the record
// cannot be committed (here: the name is taken), so no orphan stays in storage.
func TestFileResourceOrphanRemovedWhenCommitFails(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	admin.Object(t, ns.ID, api.KindFileResource, "udf.jar", api.FileResourceSpec{Content: []byte("first")})
	before := countFiles(t, env.DataDir)
	admin.Fails(t, http.StatusConflict, api.CodeAlreadyExists, "POST", "/namespaces/"+ns.ID+"/objects/file_resources",
		api.ObjectInput{Name: "udf.jar", Spec: mustJSON(api.FileResourceSpec{Content: []byte("second")})})
	if after := countFiles(t, env.DataDir); after != before {
		t.Fatalf("a create that failed to commit left %d files in storage", after-before)
	}
}

// Item 11: at most MaxConcurrentUploads run at once; the next is told to retry (503 + Retry-After).
func TestConcurrentUploadsAreCapped(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{Server: server.Options{MaxConcurrentUploads: 1}})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	before := countFiles(t, env.DataDir)
	pr, pw := io.Pipe()
	first := make(chan reply, 1)
	go func() {
		first <- raw(t, env, "PUT", "/api/v1/namespaces/"+ns.ID+"/file-resources/slow.jar", adminAuth, pr)
	}()
	if _, err := pw.Write([]byte("the first bytes")); err != nil {
		t.Fatal(err)
	}
	// The first upload holds its slot once its bytes are being written to storage (a temp file exists).
	enginetest.Eventually(t, 10*time.Second, "the first upload reaches storage", func() bool { return countFiles(t, env.DataDir) > before })
	r := rawString(t, env, "PUT", "/api/v1/namespaces/"+ns.ID+"/file-resources/next.jar", adminAuth, "bytes")
	wantProblem(t, r, http.StatusServiceUnavailable, api.CodeUnavailable)
	if r.header.Get("Retry-After") == "" {
		t.Error("a refused upload should say when to retry (Retry-After)")
	}
	pw.Close()
	select {
	case r := <-first:
		if r.status != http.StatusCreated {
			t.Fatalf("the first upload: got %d %s", r.status, r.body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first upload did not finish")
	}
	if r := rawString(t, env, "PUT", "/api/v1/namespaces/"+ns.ID+"/file-resources/next.jar", adminAuth, "bytes"); r.status != http.StatusCreated {
		t.Fatalf("after the first upload ended, the next: got %d %s", r.status, r.body)
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// countFiles counts the regular files under the data directory's storage.
func countFiles(t testing.TB, dataDir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dataDir, "storage"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
