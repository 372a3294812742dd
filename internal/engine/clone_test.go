package engine_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func TestCloneCopiesEveryKindInDependencyOrder(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a, src := ce.admin, ce.src.ID
	a.Object(t, src, api.KindVariable, "plain", api.VariableSpec{Value: "p"})
	a.Object(t, src, api.KindVariable, "secret", api.VariableSpec{Kind: api.VariableEncrypted, Value: "s3cr3t"})
	file := a.Object(t, src, api.KindFileResource, "udf.jar", api.FileResourceSpec{Content: []byte("jar bytes"),
		Origin: &api.FileOrigin{Source: "build/udf.jar", SourceHash: "v1"}})
	a.Object(t, src, api.KindConnector, "kafka", api.GenericSpec{Type: "kafka"})
	a.Object(t, src, api.KindUDF, "fns", api.GenericSpec{Functions: []string{"f"}})
	a.Object(t, src, api.KindCatalog, "hive", api.GenericSpec{Type: "hive"})
	a.Object(t, src, api.KindFormat, "avro", api.GenericSpec{Type: "avro"})
	a.Object(t, src, api.KindSessionCluster, "sc", api.SessionClusterSpec{State: "RUNNING"})
	draft := a.Object(t, src, api.KindDraft, "draft", api.DraftSpec{SQL: "SELECT 1"})
	a.Must(t, "PUT", "/objects/"+draft.ID, api.ObjectInput{Spec: json.RawMessage(`{"sql":"SELECT 2"}`)}, nil)
	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.Variables, spec.FileResources, spec.Connectors, spec.UDFs = []string{"plain", "secret"}, []string{"udf.jar"}, []string{"kafka"}, []string{"fns"}
	spec.SessionCluster = "sc"
	dep := a.Deployment(t, src, "job", spec)
	a.Object(t, src, api.KindTaskOrchestration, "orch", api.GenericSpec{})

	c := runClone(t, a, ce.req())
	if c.Status != api.CloneSucceeded || c.TotalCount != 10 || c.FailedCount != 0 || c.Progress.Percent != 100 {
		t.Fatalf("clone = %s total %d failed %d percent %d (%s)", c.Status, c.TotalCount, c.FailedCount, c.Progress.Percent, c.Failure)
	}
	if !slices.Equal(c.ObjectTypes, api.CloneableKinds) || c.StartedBy != "admin" || c.StartedAt == nil || c.FinishedAt == nil {
		t.Fatalf("history misses types, starter or timings: %+v", c)
	}
	if got := c.Progress.Counts[api.KindVariable]; got.Total != 2 || got.Done != 2 {
		t.Fatalf("variable counts = %+v", got)
	}
	items := cloneItems(t, a, c.ID)
	var order []string
	for _, it := range items {
		if len(order) == 0 || order[len(order)-1] != it.Kind {
			order = append(order, it.Kind)
		}
	}
	if !slices.Equal(order, api.CloneableKinds) {
		t.Fatalf("items are not in dependency order: %v", order)
	}
	if len(objects(t, a, ce.dst.ID, api.KindTaskOrchestration)) != 0 {
		t.Fatal("task orchestrations must never be cloned")
	}

	got := objects(t, a, ce.dst.ID, api.KindDeployment)["job"]
	if got.Status != "STOPPED" || got.CloneID != c.ID || got.ClonedFrom != dep.ID {
		t.Fatalf("cloned deployment = %+v", got)
	}
	sc := objects(t, a, ce.dst.ID, api.KindSessionCluster)["sc"]
	if sc.Status != "STOPPED" || !strings.Contains(string(sc.Spec), `"STOPPED"`) {
		t.Fatalf("a cloned session cluster must be STOPPED: %+v %s", sc, sc.Spec)
	}
	d := objects(t, a, ce.dst.ID, api.KindDraft)["draft"]
	var versions api.Page[api.ObjectVersion]
	a.Must(t, "GET", "/objects/"+d.ID+"/versions", nil, &versions)
	if len(versions.Items) != 1 || !strings.Contains(string(d.Spec), "SELECT 2") {
		t.Fatalf("a draft clones its latest version only: %s, %d versions", d.Spec, len(versions.Items))
	}
	f := objects(t, a, ce.dst.ID, api.KindFileResource)["udf.jar"]
	var fs, srcFS api.FileResourceSpec
	_ = json.Unmarshal(f.Spec, &fs)
	_ = json.Unmarshal(file.Spec, &srcFS)
	if fs.SHA256 != srcFS.SHA256 || fs.Location == srcFS.Location || !strings.Contains(fs.Location, ce.dst.ID) {
		t.Fatalf("file resource bytes must be copied into the target's storage: %+v from %+v", fs, srcFS)
	}
	if fs.Origin == nil || *fs.Origin != (api.FileOrigin{Source: "build/udf.jar", SourceHash: "v1"}) {
		t.Fatalf("the copy keeps where the bytes came from (an import of it plans nothing): %+v", fs.Origin)
	}
	if sec := objects(t, a, ce.dst.ID, api.KindVariable)["secret"]; strings.Contains(string(sec.Spec), "s3cr3t") {
		t.Fatalf("an encrypted variable's value must not appear: %s", sec.Spec)
	}
	var source api.Object
	a.Must(t, "GET", "/objects/"+dep.ID, nil, &source)
	if source.LastClonedAt == nil {
		t.Fatal("a cloned source object records when it was last cloned")
	}
	if len(c.Attention) != 0 {
		t.Fatalf("every dependency was cloned, nothing needs attention: %+v", c.Attention)
	}
}

func TestCloneRequestIsValidated(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	for _, kind := range []string{api.KindTaskOrchestration, api.KindQueue, api.KindAlertConfig} {
		p := a.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/clones", ce.req(api.KindVariable, kind))
		if !strings.Contains(p.Detail, "never cloned") {
			t.Fatalf("refusing %s should say it is never cloned: %s", kind, p.Detail)
		}
	}
	same := ce.req()
	same.TargetNamespaceID = ce.src.ID
	a.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/clones", same)
	bad := ce.req()
	bad.StatePolicy = "SOMETIMES"
	if p := a.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/clones", bad); !strings.Contains(p.Detail, "state_policy") {
		t.Fatalf("the error names the field: %s", p.Detail)
	}
	missing := ce.req()
	missing.TargetNamespaceID = "ns-missing"
	a.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/clones", missing)
}

func TestClonePreconditions(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "v", api.VariableSpec{Value: "x"})
	workspace := func(name string, in api.WorkspaceInput) api.Namespace {
		in.Name = name
		var ws api.Workspace
		a.Must(t, "POST", "/workspaces", in, &ws)
		return a.Namespace(t, ws.ID, "ns")
	}
	base := api.WorkspaceInput{Region: "r1", Architecture: api.ArchX86, Storage: api.Storage{Type: api.StorageManaged}, CloneEnabled: true}
	otherRegion, otherArch, disabled, oss := base, base, base, base
	otherRegion.Region = "r2"
	otherArch.Architecture = api.ArchARM64
	disabled.CloneEnabled = false
	oss.Storage = api.Storage{Type: api.StorageOSS, Endpoint: "http://127.0.0.1:1", Bucket: "unreachable", PathStyle: true,
		AccessKeyID: "id", SecretAccessKey: "secret"}
	cases := []struct {
		name   string
		target api.Namespace
		status int
		code   string
	}{
		{"region", workspace("r2", otherRegion), http.StatusBadRequest, api.CodeRegionMismatch},
		{"architecture", workspace("arm", otherArch), http.StatusBadRequest, api.CodeArchMismatch},
		{"clone disabled", workspace("off", disabled), http.StatusForbidden, api.CodeCloneDisabled},
		{"managed to OSS", workspace("oss", oss), http.StatusBadRequest, api.CodeStorageIncompatible},
	}
	for _, tc := range cases {
		req := ce.req()
		req.TargetNamespaceID = tc.target.ID
		a.Fails(t, tc.status, tc.code, "POST", "/clones", req)
	}

	// OSS to managed proves read access to the source bucket first and names the missing permission.
	ossSource := workspace("oss-src", oss)
	req := ce.req()
	req.SourceNamespaceID = ossSource.ID
	if p := a.Fails(t, http.StatusForbidden, api.CodeStorageAccessDenied, "POST", "/clones", req); !strings.Contains(p.Detail, "ListObjects") {
		t.Fatalf("the refusal names the permission: %s", p.Detail)
	}

	// Editor on both namespaces: a Viewer on the target is refused.
	ed := ce.env.As(a.NewToken(t, "ed"))
	a.Member(t, ce.src.ID, "ed", api.RoleEditor)
	a.Member(t, ce.dst.ID, "ed", api.RoleViewer)
	if p := ed.Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/clones", ce.req()); !strings.Contains(p.Detail, "target") {
		t.Fatalf("the refusal says which namespace lacks the role: %s", p.Detail)
	}

	// A Viewer on the source is refused too: reading is not enough to clone a namespace.
	vs := ce.env.As(a.NewToken(t, "vs"))
	a.Member(t, ce.src.ID, "vs", api.RoleViewer)
	a.Member(t, ce.dst.ID, "vs", api.RoleEditor)
	if p := vs.Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/clones", ce.req()); !strings.Contains(p.Detail, "source") {
		t.Fatalf("the refusal says the source namespace lacks the role: %s", p.Detail)
	}

	// Nothing was written by any refusal: no task, no lock.
	var page api.Page[api.Clone]
	a.Must(t, "GET", "/clones?namespace_id="+ce.src.ID+"&direction=any", nil, &page)
	if len(page.Items) != 0 || namespaceLock(t, a, ce.src.ID) != "" {
		t.Fatalf("a refused clone must write nothing: %d tasks, lock %q", len(page.Items), namespaceLock(t, a, ce.src.ID))
	}

	// With the role granted, the same user clones.
	a.Member(t, ce.dst.ID, "ed", api.RoleEditor)
	if c := runClone(t, ed, ce.req()); c.Status != api.CloneSucceeded || c.StartedBy != "ed" {
		t.Fatalf("clone by an editor of both = %s by %q", c.Status, c.StartedBy)
	}
}

func TestCloneLocksBothNamespacesWhileItRuns(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	v := a.Object(t, ce.src.ID, api.KindVariable, "v", api.VariableSpec{Value: "x"})
	reached := ce.gate.hold()
	c := startClone(t, a, ce.req())
	waitReached(t, reached)

	for _, ns := range []string{ce.src.ID, ce.dst.ID} {
		if got := namespaceLock(t, a, ns); got != c.ID {
			t.Fatalf("namespace %s locked by %q, want %s", ns, got, c.ID)
		}
	}
	p := a.Fails(t, http.StatusLocked, api.CodeLocked, "PUT", "/objects/"+v.ID, api.ObjectInput{Spec: json.RawMessage(`{"value":"y"}`)})
	if p.TaskID != c.ID {
		t.Fatalf("a locked refusal names the task: %+v", p)
	}
	p = a.Fails(t, http.StatusLocked, api.CodeLocked, "POST", "/namespaces/"+ce.dst.ID+"/objects/variables",
		api.ObjectInput{Name: "w", Spec: json.RawMessage(`{"value":"y"}`)})
	if p.TaskID != c.ID {
		t.Fatalf("a locked refusal names the task: %+v", p)
	}
	var running api.Clone
	a.Must(t, "GET", "/clones/"+c.ID, nil, &running)
	if running.Status != api.CloneRunning || running.Progress.Counts[api.KindVariable].Total != 1 {
		t.Fatalf("progress while running = %+v", running)
	}

	// One-to-one: neither namespace can be in a second clone, as source or as target.
	ws := a.Workspace(t, "ws-c")
	other := a.Namespace(t, ws.ID, "other")
	toOther := ce.req()
	toOther.TargetNamespaceID = other.ID
	if p := a.Fails(t, http.StatusConflict, api.CodeCloneRunning, "POST", "/clones", toOther); p.TaskID != c.ID {
		t.Fatalf("clone_running names the task: %+v", p)
	}
	fromOther := api.CloneRequest{SourceNamespaceID: other.ID, TargetNamespaceID: ce.dst.ID}
	a.Fails(t, http.StatusConflict, api.CodeCloneRunning, "POST", "/clones", fromOther)
	a.Fails(t, http.StatusConflict, api.CodeCloneRunning, "DELETE", "/clones/"+c.ID, nil)

	ce.gate.release()
	if done := waitClone(t, a, c.ID); done.Status != api.CloneSucceeded {
		t.Fatalf("clone ended %s: %s", done.Status, done.Failure)
	}
	if namespaceLock(t, a, ce.src.ID) != "" || namespaceLock(t, a, ce.dst.ID) != "" {
		t.Fatal("both namespaces are unlocked once the clone ended")
	}
	a.Must(t, "PUT", "/objects/"+v.ID, api.ObjectInput{Spec: json.RawMessage(`{"value":"y"}`)}, nil)
}

func TestConcurrentClonesOfOneNamespaceOnlyOneRuns(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "v", api.VariableSpec{Value: "x"})
	ws := a.Workspace(t, "ws-c")
	second := a.Namespace(t, ws.ID, "second")
	ce.gate.hold()
	reqs := []api.CloneRequest{ce.req(), {SourceNamespaceID: ce.src.ID, TargetNamespaceID: second.ID}}
	results := make([]string, 2)
	errs := make(chan error, 2)
	for i := range reqs {
		go func() {
			status, p, err := a.Try("POST", "/clones", reqs[i], nil) // no t.Fatal off the test goroutine
			results[i] = http.StatusText(status) + " " + p.Code
			errs <- err
		}()
	}
	for range reqs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(results)
	if results[0] != "Conflict clone_running" || results[1] != "Created " {
		t.Fatalf("two clones of one source at once: %q, want one Created and one Conflict clone_running", results)
	}
}

// A cancel ends the clone at the next item; what was cloned before stays in the target, and the items
// after it are skipped. The gate holds the first connector, so both variables are committed first.
func TestCloneCancelKeepsWhatWasCloned(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	for _, n := range []string{"a", "b"} {
		a.Object(t, ce.src.ID, api.KindVariable, n, api.VariableSpec{Value: "value-" + n})
	}
	for _, n := range []string{"c1", "c2"} {
		a.Object(t, ce.src.ID, api.KindConnector, n, api.GenericSpec{Type: "kafka"})
	}
	reached := ce.gate.holdAfter(2) // variables a and b pass; the first connector waits
	c := startClone(t, a, ce.req(api.KindVariable, api.KindConnector))
	waitReached(t, reached)
	if got := objects(t, a, ce.dst.ID, api.KindVariable); len(got) != 2 {
		t.Fatalf("before the cancel both variables are cloned, target has %d", len(got))
	}
	var cancelled api.Clone
	a.Must(t, "POST", "/clones/"+c.ID+"/cancel", nil, &cancelled)
	ce.gate.release()
	done := waitClone(t, a, c.ID)
	if done.Status != api.CloneCancelled || done.SkippedCount != 2 || done.FailedCount != 0 {
		t.Fatalf("cancelled clone = %s skipped %d failed %d, want CANCELLED with the 2 connectors skipped", done.Status, done.SkippedCount, done.FailedCount)
	}
	items := cloneItems(t, a, c.ID)
	vars := objects(t, a, ce.dst.ID, api.KindVariable)
	for _, n := range []string{"a", "b"} {
		it := itemNamed(t, items, api.KindVariable, n)
		v, ok := vars[n]
		if it.Status != api.ItemSucceeded || !ok || v.ID != it.TargetID || v.CloneID != c.ID || !strings.Contains(string(v.Spec), "value-"+n) {
			t.Fatalf("variable %s cloned before the cancel must be kept: item %+v, object %+v", n, it, v)
		}
	}
	for _, n := range []string{"c1", "c2"} {
		if it := itemNamed(t, items, api.KindConnector, n); it.Status != api.ItemSkipped {
			t.Fatalf("connector %s after the cancel = %s, want SKIPPED", n, it.Status)
		}
	}
	if got := objects(t, a, ce.dst.ID, api.KindConnector); len(got) != 0 {
		t.Fatalf("nothing is cloned after the cancel: target has connectors %v", got)
	}
	if namespaceLock(t, a, ce.dst.ID) != "" || namespaceLock(t, a, ce.src.ID) != "" {
		t.Fatal("a cancelled clone releases its locks")
	}
	a.Fails(t, http.StatusConflict, api.CodeConflict, "POST", "/clones/"+c.ID+"/cancel", nil)
}
