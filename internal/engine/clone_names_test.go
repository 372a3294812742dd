package engine_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func TestCloneRenamesTakenNamesAndRewritesReferences(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "v", api.VariableSpec{Value: "src"})
	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.Variables = []string{"v"}
	a.Deployment(t, ce.src.ID, "job", spec)
	a.Object(t, ce.dst.ID, api.KindVariable, "v", api.VariableSpec{Value: "already here"})

	first := runClone(t, a, ce.req())
	second := runClone(t, a, ce.req())
	if first.Status != api.CloneSucceeded || second.Status != api.CloneSucceeded {
		t.Fatalf("clones ended %s, %s", first.Status, second.Status)
	}
	want := []api.Rename{{Kind: api.KindVariable, SourceName: "v", TargetName: "v-clone-1"}}
	var renames api.Page[api.Rename]
	a.Must(t, "GET", "/clones/"+first.ID+"/renames", nil, &renames)
	if len(renames.Items) != 1 || renames.Items[0] != want[0] {
		t.Fatalf("renames of the first clone = %+v, want %+v", renames.Items, want)
	}
	// Cloning twice makes duplicates, each under a new name, each recorded.
	a.Must(t, "GET", "/clones/"+second.ID+"/renames", nil, &renames)
	if len(renames.Items) != 2 || renames.Items[0].TargetName != "v-clone-2" || renames.Items[1].TargetName != "job-clone-1" {
		t.Fatalf("renames of the second clone = %+v", renames.Items)
	}
	if len(second.Renames) != 2 {
		t.Fatalf("the history keeps the rename list: %+v", second.Renames)
	}
	// The cloned deployments refer to the variable under its new name.
	deps := objects(t, a, ce.dst.ID, api.KindDeployment)
	for name, variable := range map[string]string{"job": "v-clone-1", "job-clone-1": "v-clone-2"} {
		var s api.DeploymentSpec
		_ = json.Unmarshal(deps[name].Spec, &s)
		if len(s.Variables) != 1 || s.Variables[0] != variable {
			t.Fatalf("deployment %s refers to variables %v, want [%s]", name, s.Variables, variable)
		}
	}
}

func TestCloneNameConflictSkipMakesASecondCloneANoOp(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "v", api.VariableSpec{Value: "x"})
	a.Object(t, ce.src.ID, api.KindConnector, "c", api.GenericSpec{Type: "kafka"})
	a.Deployment(t, ce.src.ID, "job", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	req := ce.req()
	req.NameConflict = api.ConflictSkip
	if c := runClone(t, a, req); c.Status != api.CloneSucceeded || c.SkippedCount != 0 {
		t.Fatalf("first clone = %s skipped %d", c.Status, c.SkippedCount)
	}
	var before, after api.NamespaceContents
	a.Must(t, "GET", "/namespaces/"+ce.dst.ID+"/contents", nil, &before)
	again := runClone(t, a, req)
	a.Must(t, "GET", "/namespaces/"+ce.dst.ID+"/contents", nil, &after)
	if again.Status != api.CloneSucceeded || again.SkippedCount != 3 || after.Total != before.Total || len(again.Renames) != 0 {
		t.Fatalf("second clone with SKIP = %s skipped %d, objects %d -> %d", again.Status, again.SkippedCount, before.Total, after.Total)
	}
	for _, it := range cloneItems(t, a, again.ID) {
		if it.Status != api.ItemSkipped || !strings.Contains(it.Message, "already has") {
			t.Fatalf("item %+v should be skipped because the name is taken", it)
		}
	}

	req.NameConflict = api.ConflictFail
	failed := runClone(t, a, req)
	if failed.Status != api.CloneFailed || failed.FailedCount != 3 {
		t.Fatalf("clone with FAIL over taken names = %s failed %d", failed.Status, failed.FailedCount)
	}
}

func TestCloneCatalogMappingAndDependencyReport(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "present", api.VariableSpec{Value: "x"})
	spec := enginetest.SQLDeployment("USE CATALOG kafka;\nINSERT INTO hive.db.sink SELECT * FROM `kafka`.db.src JOIN dim.db.t ON true")
	spec.Variables = []string{"present", "absent"}
	spec.FileResources = []string{"lib.jar"}
	spec.Catalogs = []string{"hive"}
	a.Deployment(t, ce.src.ID, "job", spec)
	req := ce.req()
	req.CatalogMapping = map[string]string{"kafka": "kafka_prod"}
	c := runClone(t, a, req)
	if c.Status != api.CloneSucceeded {
		t.Fatalf("clone = %s (%s)", c.Status, c.Failure)
	}
	got := map[string]string{}
	for _, at := range c.Attention {
		if at.Deployment != "job" {
			t.Fatalf("attention item without its deployment: %+v", at)
		}
		got[at.Kind+":"+at.Name] = at.Detail
	}
	for _, want := range []string{"catalog_rewritten:kafka", "catalog_reference:hive", "catalog_reference:dim",
		"missing_dependency:absent", "missing_dependency:lib.jar", "missing_dependency:hive"} {
		if _, ok := got[want]; !ok {
			t.Fatalf("attention list %v misses %s", got, want)
		}
	}
	if _, ok := got["missing_dependency:present"]; ok || len(got) != 6 {
		t.Fatalf("attention list has extras: %v", got)
	}
	var s api.DeploymentSpec
	_ = json.Unmarshal(objects(t, a, ce.dst.ID, api.KindDeployment)["job"].Spec, &s)
	if !strings.Contains(s.SQL, "USE CATALOG kafka_prod") || !strings.Contains(s.SQL, "`kafka_prod`.db.src") ||
		!strings.Contains(s.SQL, "hive.db.sink") || !strings.Contains(s.SQL, "dim.db.t") {
		t.Fatalf("mapped catalogs are rewritten, others kept: %s", s.SQL)
	}
}

func TestCloneDeploymentFilter(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	sql := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	old := sql
	old.EngineVersion = "vvr-6.0.1-flink-1.15"
	jar := api.DeploymentSpec{Type: api.DeploymentJAR, EngineVersion: sql.EngineVersion, Jar: &api.JarSpec{URI: "file:///a.jar"}}
	a.Deployment(t, ce.src.ID, "orders-sql", sql)
	a.Deployment(t, ce.src.ID, "orders-old", old)
	a.Deployment(t, ce.src.ID, "orders-jar", jar)
	a.Deployment(t, ce.src.ID, "billing", sql)

	clone := func(f api.DeploymentFilter) []string {
		t.Helper()
		req := ce.req(api.KindDeployment)
		req.DeploymentFilter = &f
		req.NameConflict = api.ConflictSkip
		c := runClone(t, a, req)
		var names []string
		for _, it := range cloneItems(t, a, c.ID) {
			names = append(names, it.SourceName)
		}
		return names
	}
	check := func(got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("filter selected %v, want %v", got, want)
		}
	}
	check(clone(api.DeploymentFilter{Names: []string{"orders-*"}, Types: []string{api.DeploymentSQL},
		EngineVersions: []string{sql.EngineVersion}}), "orders-sql")
	check(clone(api.DeploymentFilter{Statuses: []string{api.StatusCreated}, Names: []string{"orders-j*"}}), "orders-jar")
	// orders-sql and orders-jar were cloned just now; the others never were.
	now := time.Now().UTC().Add(time.Hour)
	hourAgo := time.Now().UTC().Add(-time.Hour)
	check(clone(api.DeploymentFilter{LastClonedAfter: &hourAgo}), "orders-jar", "orders-sql")
	check(clone(api.DeploymentFilter{LastClonedBefore: &hourAgo}), "billing", "orders-old")
	check(clone(api.DeploymentFilter{LastClonedBefore: &now}), "billing", "orders-jar", "orders-old", "orders-sql")
	req := ce.req()
	req.DeploymentFilter = &api.DeploymentFilter{Names: []string{"[bad"}}
	a.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/clones", req)
}

func TestCloneHistoryAndDeletingItsObjects(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "a", api.VariableSpec{Value: "1"})
	a.Object(t, ce.src.ID, api.KindVariable, "b", api.VariableSpec{Value: "2"})
	a.Deployment(t, ce.src.ID, "job", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	c := runClone(t, a, ce.req())
	later := runClone(t, a, ce.req())

	var page api.Page[api.Clone]
	a.Must(t, "GET", "/clones?namespace_id="+ce.dst.ID, nil, &page)
	if len(page.Items) != 2 || page.Items[0].ID != later.ID || page.Items[1].ID != c.ID {
		t.Fatalf("history is newest first: %+v", page.Items)
	}
	a.Must(t, "GET", "/clones?namespace_id="+ce.dst.ID+"&limit=1", nil, &page)
	if len(page.Items) != 1 || page.NextPageToken == "" {
		t.Fatalf("history is paged: %+v", page)
	}
	a.Must(t, "GET", "/clones?namespace_id="+ce.src.ID+"&direction=source", nil, &page)
	if len(page.Items) != 2 {
		t.Fatalf("the source sees its clones with direction=source: %d", len(page.Items))
	}
	a.Must(t, "GET", "/clones?namespace_id="+ce.src.ID, nil, &page)
	if len(page.Items) != 0 {
		t.Fatalf("the default direction is target: %d", len(page.Items))
	}

	// Without delete_created the task answers 204 and its history stays; nothing is deleted.
	mustStatus(t, func() int { s, _ := a.Do(t, "DELETE", "/clones/"+later.ID, nil, nil); return s }(), http.StatusNoContent, "delete without delete_created")
	a.Must(t, "GET", "/clones/"+later.ID, nil, nil)

	// With delete_created what the clone made goes, except what changed since.
	b := objects(t, a, ce.dst.ID, api.KindVariable)["b"]
	a.Must(t, "PUT", "/objects/"+b.ID, api.ObjectInput{Spec: json.RawMessage(`{"value":"edited"}`)}, nil)
	var out api.Clone
	a.Must(t, "DELETE", "/clones/"+c.ID+"?delete_created=true", nil, &out)
	if out.Deleted == nil || len(out.Deleted.Deleted) != 2 || len(out.Deleted.Kept) != 1 || !strings.Contains(out.Deleted.Kept[0], `"b"`) {
		t.Fatalf("deletion report = %+v", out.Deleted)
	}
	vars := objects(t, a, ce.dst.ID, api.KindVariable)
	if _, ok := vars["a"]; ok {
		t.Fatal("variable a was created by the clone and unchanged: it must be deleted")
	}
	if _, ok := vars["b"]; !ok {
		t.Fatal("variable b changed after the clone: it must be kept")
	}
	if _, ok := vars["a-clone-1"]; !ok {
		t.Fatal("objects of another clone task stay")
	}
	if _, ok := objects(t, a, ce.dst.ID, api.KindDeployment)["job"]; ok {
		t.Fatal("the cloned deployment must be deleted")
	}
}
