package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func jarDeployment(uri string) api.DeploymentSpec {
	return api.DeploymentSpec{Type: api.DeploymentJAR, EngineVersion: "flink-1.20", Jar: &api.JarSpec{URI: uri, EntryClass: "x.Main"}}
}

// A file resource that a deployment, UDF or connector uses cannot be deleted: the 409 names every user,
// and once the references go the delete passes.
func TestFileResourceInUseIsNotDeleted(t *testing.T) {
	t.Parallel()
	_, c, ns := oneNamespace(t)
	f := c.Object(t, ns.ID, api.KindFileResource, "udfs.jar", api.FileResourceSpec{Content: []byte("PK jar")})
	jarDep := c.Deployment(t, ns.ID, "etl", jarDeployment(f.ID))
	sqlSpec := enginetest.SQLDeployment("INSERT INTO a SELECT * FROM b")
	sqlSpec.FileResources = []string{"udfs.jar"}
	sqlDep := c.Deployment(t, ns.ID, "report", sqlSpec)
	udf := c.Object(t, ns.ID, api.KindUDF, "lower", api.GenericSpec{Type: "jar", Functions: []string{"lower2"}, FileResourceID: f.ID})
	conn := c.Object(t, ns.ID, api.KindConnector, "mq", api.GenericSpec{Type: "custom", FileResourceID: f.ID})

	prob := c.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", "/objects/"+f.ID, nil)
	for _, user := range []string{`deployment "etl"`, `deployment "report"`, `udf "lower"`, `connector "mq"`} {
		if !strings.Contains(prob.Detail, user) {
			t.Errorf("the refusal should name %s: %s", user, prob.Detail)
		}
	}
	var still api.Object
	c.Must(t, "GET", "/objects/"+f.ID, nil, &still)
	if still.Status != "" {
		t.Fatalf("a refused delete must leave the file resource as it was, got status %q", still.Status)
	}

	// Removing the references one by one: the refusal names only who is left.
	c.Must(t, "DELETE", "/objects/"+jarDep.ID, nil, nil)
	c.Must(t, "DELETE", "/objects/"+sqlDep.ID, nil, nil)
	c.Must(t, "PUT", "/objects/"+udf.ID, api.ObjectInput{Spec: mustJSON(api.GenericSpec{Type: "jar"})}, nil)
	prob = c.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", "/objects/"+f.ID, nil)
	if !strings.Contains(prob.Detail, `connector "mq"`) || strings.Contains(prob.Detail, `deployment "`) || strings.Contains(prob.Detail, `udf "`) {
		t.Fatalf("the refusal should name the connector alone: %s", prob.Detail)
	}
	c.Must(t, "DELETE", "/objects/"+conn.ID, nil, nil)
	c.Must(t, "DELETE", "/objects/"+f.ID, nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/objects/"+f.ID, nil)
}

// file_resource_id names a file resource of the same namespace, and only UDFs and connectors take it.
func TestFileResourceReferenceIsChecked(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ws := c.Workspace(t, "ws")
	ns, other := c.Namespace(t, ws.ID, "ns"), c.Namespace(t, ws.ID, "other")
	f := c.Object(t, ns.ID, api.KindFileResource, "a.jar", api.FileResourceSpec{Content: []byte("a")})
	foreign := c.Object(t, other.ID, api.KindFileResource, "b.jar", api.FileResourceSpec{Content: []byte("b")})
	variable := c.Object(t, ns.ID, api.KindVariable, "v", api.VariableSpec{Value: "x"})
	for _, id := range []string{"file-missing", foreign.ID, variable.ID} {
		prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+ns.ID+"/objects/udfs",
			api.ObjectInput{Name: "u", Spec: mustJSON(api.GenericSpec{FileResourceID: id})})
		if !strings.Contains(prob.Detail, "spec.file_resource_id") || !strings.Contains(prob.Detail, id) {
			t.Fatalf("the refusal of %s should name the field and the id: %s", id, prob.Detail)
		}
	}
	prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+ns.ID+"/objects/catalogs",
		api.ObjectInput{Name: "c", Spec: mustJSON(api.GenericSpec{Type: "paimon", FileResourceID: f.ID})})
	if !strings.Contains(prob.Detail, "only UDFs and connectors") {
		t.Fatalf("a catalog naming a file resource should be refused: %s", prob.Detail)
	}
}

// A clone points the copies of UDFs, connectors and JAR deployments at the copied file resource; a
// reference to a file resource left out of the clone is dropped and reported.
func TestCloneFollowsFileResourceReferences(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	c := ce.admin
	f := c.Object(t, ce.src.ID, api.KindFileResource, "udfs.jar", api.FileResourceSpec{Content: []byte("PK jar")})
	c.Object(t, ce.src.ID, api.KindUDF, "lower", api.GenericSpec{Type: "jar", FileResourceID: f.ID})
	c.Object(t, ce.src.ID, api.KindConnector, "mq", api.GenericSpec{Type: "custom", FileResourceID: f.ID})
	c.Deployment(t, ce.src.ID, "etl", jarDeployment(f.ID))

	done := runClone(t, c, ce.req(api.KindFileResource, api.KindUDF, api.KindConnector, api.KindDeployment))
	if done.Status != api.CloneSucceeded {
		t.Fatalf("clone ended %s: %s", done.Status, done.Failure)
	}
	copied := objects(t, c, ce.dst.ID, api.KindFileResource)["udfs.jar"]
	if copied.ID == "" || copied.ID == f.ID {
		t.Fatalf("the file resource was not copied: %+v", copied)
	}
	for _, kind := range []string{api.KindUDF, api.KindConnector} {
		for _, o := range objects(t, c, ce.dst.ID, kind) {
			g := decode[api.GenericSpec](t, o.Spec)
			if g.FileResourceID != copied.ID {
				t.Errorf("%s %s copy references %q, want the copied file resource %s", kind, o.Name, g.FileResourceID, copied.ID)
			}
		}
	}
	dep := decode[api.DeploymentSpec](t, objects(t, c, ce.dst.ID, api.KindDeployment)["etl"].Spec)
	if dep.Jar == nil || dep.Jar.URI != copied.ID {
		t.Errorf("the deployment copy's jar.uri = %+v, want the copied file resource %s", dep.Jar, copied.ID)
	}
	// In the target, the copy is guarded like the original.
	c.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", "/objects/"+copied.ID, nil)

	// Without the file resource, the UDF's copy loses its reference and the item says why.
	done = runClone(t, c, ce.req(api.KindUDF))
	udfItem := itemNamed(t, cloneItems(t, c, done.ID), api.KindUDF, "lower")
	if udfItem.Status != api.ItemSucceeded || len(done.Attention) != 1 || done.Attention[0].Kind != "missing_dependency" ||
		!strings.Contains(done.Attention[0].Detail, `udf "lower`) {
		t.Fatalf("the UDF cloned without its file resource should be reported as missing_dependency: %+v %+v", udfItem, done.Attention)
	}
	g := decode[api.GenericSpec](t, objects(t, c, ce.dst.ID, api.KindUDF)[udfItem.TargetName].Spec)
	if g.FileResourceID != "" {
		t.Fatalf("the copy must not reference the source namespace's file resource %s", g.FileResourceID)
	}
}

func mustJSON(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

// A JAR deployment runs the file resource's current bytes: every upload keeps its own key (the history
// points at them), and the one at the spec's location is the one opened, after each of several updates.
func TestJarIsTheCurrentUpload(t *testing.T) {
	t.Parallel()
	env, c, ns := oneNamespace(t)
	f := c.Object(t, ns.ID, api.KindFileResource, "job.jar", api.FileResourceSpec{Content: []byte("v0")})
	for i := 1; i <= 8; i++ {
		want := fmt.Sprintf("v%d", i)
		c.Must(t, "PUT", "/objects/"+f.ID, api.ObjectInput{Spec: mustJSON(api.FileResourceSpec{Content: []byte(want)})}, nil)
		rc, err := env.Engine.OpenFileResourceJar(context.Background(), ns.ID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(got) != want {
			t.Fatalf("after upload %d the jar opened holds %q (%v), want %q", i, got, err, want)
		}
	}
}

// oneNamespace starts an engine with one namespace, "ns" of workspace "ws", for the admin.
func oneNamespace(t *testing.T) (*enginetest.Env, *enginetest.Client, api.Namespace) {
	t.Helper()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	return env, c, c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
}
