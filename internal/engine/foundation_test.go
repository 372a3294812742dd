package engine_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")

	env.As("").Fails(t, http.StatusUnauthorized, api.CodeUnauthenticated, "GET", "/whoami", nil)
	env.As("wrong").Fails(t, http.StatusUnauthorized, api.CodeUnauthenticated, "GET", "/whoami", nil)

	viewer := env.As(admin.NewToken(t, "vera"))
	var me api.WhoAmI
	viewer.Must(t, "GET", "/whoami", nil, &me)
	if me.User != "vera" || me.Admin {
		t.Fatalf("whoami = %+v", me)
	}
	// No role yet: reading is refused with a message naming the missing role.
	prob := viewer.Fails(t, http.StatusForbidden, api.CodeForbidden, "GET", "/namespaces/"+ns.ID, nil)
	if !strings.Contains(prob.Detail, "VIEWER") {
		t.Fatalf("403 should name the role needed: %s", prob.Detail)
	}
	admin.Member(t, ns.ID, "vera", api.RoleViewer)
	viewer.Must(t, "GET", "/namespaces/"+ns.ID, nil, nil)
	prob = viewer.Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/namespaces/"+ns.ID+"/objects/variables",
		api.ObjectInput{Name: "v", Spec: json.RawMessage(`{"value":"x"}`)})
	if !strings.Contains(prob.Detail, "VIEWER") || !strings.Contains(prob.Detail, "EDITOR") {
		t.Fatalf("403 should name the role held and the role needed: %s", prob.Detail)
	}
	// Editors write but do not manage members; only the admin manages tokens.
	admin.Member(t, ns.ID, "vera", api.RoleEditor)
	viewer.Must(t, "POST", "/namespaces/"+ns.ID+"/objects/variables", api.ObjectInput{Name: "v", Spec: json.RawMessage(`{"value":"x"}`)}, nil)
	viewer.Fails(t, http.StatusForbidden, api.CodeForbidden, "PUT", "/namespaces/"+ns.ID+"/members/other", api.MemberInput{Role: api.RoleViewer})
	viewer.Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/tokens", api.TokenRequest{User: "x"})
}

func TestCRUDOfEveryObjectKind(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	specs := map[string]any{
		api.KindDraft:             api.DraftSpec{SQL: "SELECT 1"},
		api.KindDeployment:        enginetest.SQLDeployment("INSERT INTO a SELECT * FROM b"),
		api.KindFileResource:      api.FileResourceSpec{Content: []byte("hello file")},
		api.KindCatalog:           api.GenericSpec{Type: "paimon", Properties: map[string]string{"warehouse": "oss://w"}},
		api.KindUDF:               api.GenericSpec{Type: "jar", Functions: []string{"f"}},
		api.KindConnector:         api.GenericSpec{Type: "kafka"},
		api.KindFormat:            api.GenericSpec{Type: "json"},
		api.KindVariable:          api.VariableSpec{Value: "v"},
		api.KindSessionCluster:    api.SessionClusterSpec{EngineVersion: "vvr-8.0.9-flink-1.17"},
		api.KindTaskOrchestration: api.GenericSpec{Type: "workflow"},
		api.KindQueue:             api.GenericSpec{Type: "default"},
		api.KindAlertConfig:       api.GenericSpec{Type: "email"},
	}
	for _, kind := range api.AllKinds {
		o := c.Object(t, ns.ID, kind, "obj-"+strings.ReplaceAll(kind, "_", "-"), specs[kind])
		if o.Kind != kind || o.Version != 1 || o.NamespaceID != ns.ID {
			t.Fatalf("%s: created %+v", kind, o)
		}
		var got api.Object
		c.Must(t, "GET", "/objects/"+o.ID, nil, &got)
		if got.Name != o.Name {
			t.Fatalf("%s: read back %+v", kind, got)
		}
		var page api.Page[api.Object]
		c.Must(t, "GET", "/namespaces/"+ns.ID+"/objects/"+kind+"?name="+o.Name, nil, &page)
		if len(page.Items) != 1 || page.Items[0].ID != o.ID {
			t.Fatalf("%s: list by name = %+v", kind, page.Items)
		}
		var upd api.Object
		c.Must(t, "PUT", "/objects/"+o.ID, api.ObjectInput{Spec: got.Spec, Version: 1}, &upd)
		if upd.Version != 2 {
			t.Fatalf("%s: update gave version %d, want 2", kind, upd.Version)
		}
		original, _ := json.Marshal(specs[kind])
		c.Fails(t, http.StatusConflict, api.CodeAlreadyExists, "POST", "/namespaces/"+ns.ID+"/objects/"+kind,
			api.ObjectInput{Name: o.Name, Spec: original})
		c.Must(t, "DELETE", "/objects/"+o.ID, nil, nil)
		c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/objects/"+o.ID, nil)
	}
	c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+ns.ID+"/objects/widgets",
		api.ObjectInput{Name: "w", Spec: json.RawMessage(`{}`)})
}

func TestFileResourceBytesAreStoredWithTheirChecksum(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	o := c.Object(t, ns.ID, api.KindFileResource, "udf.jar", api.FileResourceSpec{Content: []byte("jar bytes")})
	var spec api.FileResourceSpec
	if err := json.Unmarshal(o.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("jar bytes"))
	if spec.Size != 9 || spec.SHA256 != hex.EncodeToString(sum[:]) || spec.Content != nil {
		t.Fatalf("file resource spec = %+v, want size 9 and sha256 %x", spec, sum)
	}
	path := strings.TrimPrefix(spec.Location, "file://")
	if b, err := os.ReadFile(path); err != nil || string(b) != "jar bytes" {
		t.Fatalf("stored bytes at %s: %q %v", path, b, err)
	}
}

func TestDraftsKeepEveryVersion(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	d := c.Object(t, ns.ID, api.KindDraft, "draft", api.DraftSpec{SQL: "SELECT 1"})
	for i, sql := range []string{"SELECT 2", "SELECT 3"} {
		raw, _ := json.Marshal(api.DraftSpec{SQL: sql})
		c.Must(t, "PUT", "/objects/"+d.ID, api.ObjectInput{Spec: raw, Version: int64(i + 1)}, nil)
	}
	var hist api.Page[api.ObjectVersion]
	c.Must(t, "GET", "/objects/"+d.ID+"/versions", nil, &hist)
	if len(hist.Items) != 3 || hist.Items[0].Version != 3 || !strings.Contains(string(hist.Items[2].Spec), "SELECT 1") {
		t.Fatalf("history = %+v", hist.Items)
	}
}

func TestStaleVersionIsRefused(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	v := c.Object(t, ns.ID, api.KindVariable, "v", api.VariableSpec{Value: "1"})
	c.Must(t, "PUT", "/objects/"+v.ID, api.ObjectInput{Spec: json.RawMessage(`{"value":"2"}`), Version: 1}, nil)
	prob := c.Fails(t, http.StatusPreconditionFailed, api.CodePreconditionFailed, "PUT", "/objects/"+v.ID,
		api.ObjectInput{Spec: json.RawMessage(`{"value":"3"}`), Version: 1})
	if !strings.Contains(prob.Detail, "version 2") {
		t.Fatalf("412 should say the current version: %s", prob.Detail)
	}
}

func TestIdempotentCreateReplaysTheFirstResponse(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ws := c.Workspace(t, "ws")
	in := api.NamespaceInput{Name: "once"}
	var first, second api.Namespace
	c.WithKey("key-1").Must(t, "POST", "/workspaces/"+ws.ID+"/namespaces", in, &first)
	c.WithKey("key-1").Must(t, "POST", "/workspaces/"+ws.ID+"/namespaces", in, &second)
	if first.ID != second.ID {
		t.Fatalf("a retried create made a second namespace: %s and %s", first.ID, second.ID)
	}
	var page api.Page[api.Namespace]
	c.Must(t, "GET", "/workspaces/"+ws.ID+"/namespaces", nil, &page)
	if len(page.Items) != 1 {
		t.Fatalf("namespaces after a replay = %d, want 1", len(page.Items))
	}
	c.WithKey("key-1").Fails(t, http.StatusUnprocessableEntity, api.CodeIdempotencyMismatch, "POST",
		"/workspaces/"+ws.ID+"/namespaces", api.NamespaceInput{Name: "other"})
	// Keys belong to their caller: another user's identical key is a different request.
	other := env.As(c.NewToken(t, "olga"))
	other.WithKey("key-1").Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/workspaces/"+ws.ID+"/namespaces", in)
}

func TestEncryptedVariableValuesNeverLeave(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	const secret = "s3cr3t-value-for-the-test"
	v := c.Object(t, ns.ID, api.KindVariable, "password", api.VariableSpec{Kind: api.VariableEncrypted, Value: secret})
	responses := []any{v}
	var got api.Object
	c.Must(t, "GET", "/objects/"+v.ID, nil, &got)
	var list api.Page[api.Object]
	c.Must(t, "GET", "/namespaces/"+ns.ID+"/objects/variables", nil, &list)
	var hist api.Page[api.ObjectVersion]
	c.Must(t, "GET", "/objects/"+v.ID+"/versions", nil, &hist)
	responses = append(responses, got, list, hist)
	for _, r := range responses {
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), secret) {
			t.Fatalf("a response carries the encrypted value: %s", b)
		}
	}
	// Nor is it stored in the clear.
	env.Stop(t)
	for _, f := range []string{"engine.db", "engine.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(env.DataDir, f))
		if strings.Contains(string(b), secret) || strings.Contains(string(b), base64.StdEncoding.EncodeToString([]byte(secret))) {
			t.Fatalf("%s holds the value in the clear", f)
		}
	}
}

func TestNamespaceDeleteRefusedWhileNotEmpty(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ws := c.Workspace(t, "ws")
	ns := c.Namespace(t, ws.ID, "ns")
	c.Object(t, ns.ID, api.KindVariable, "v", api.VariableSpec{Value: "1"})
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment("INSERT INTO a SELECT * FROM b"))
	c.StartRunning(t, dep.ID, api.StartRequest{})

	c.WaitCheckpoints(t, dep.ID, 1)
	checkpoints := filepath.Join(env.DataDir, "storage", "namespaces", ns.ID, "checkpoints")
	if n := countFiles(t, checkpoints); n == 0 {
		t.Fatalf("setup: no checkpoint files under %s while the job runs", checkpoints)
	}
	prob := c.Fails(t, http.StatusConflict, api.CodeNamespaceNotEmpty, "DELETE", "/namespaces/"+ns.ID, nil)
	if prob.Counts[api.KindVariable] != 1 || prob.Counts[api.KindDeployment] != 1 || !strings.Contains(prob.Detail, "force") {
		t.Fatalf("namespace_not_empty problem = %+v", prob)
	}
	c.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", "/workspaces/"+ws.ID, nil)
	c.Must(t, "DELETE", "/namespaces/"+ns.ID+"?force=true", nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/namespaces/"+ns.ID, nil)
	if n := countFiles(t, checkpoints); n != 0 {
		t.Fatalf("%d checkpoint files of a force-deleted namespace remain under %s", n, checkpoints)
	}
	c.Must(t, "DELETE", "/workspaces/"+ws.ID, nil, nil)
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	var doc map[string]any
	env.As("").Must(t, "GET", "/openapi.json", nil, &doc)
	paths, _ := doc["paths"].(map[string]any)
	for _, route := range api.Routes {
		method, path, _ := strings.Cut(route, " ")
		item, _ := paths[path].(map[string]any)
		if _, ok := item[strings.ToLower(method)]; !ok {
			t.Errorf("the OpenAPI document lacks %s", route)
		}
	}
}

// countFiles counts the regular files under dir; a missing dir has none, any other error fails the test.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("walking %s: %v", dir, err)
	}
	return n
}
