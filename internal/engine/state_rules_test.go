package engine_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// TestNamespaceWithAnotherNamespacesRestorePointIsNotDeleted: the rule is to refuse, naming the
// snapshots, until the dependants let go; nothing unreachable is ever left (issue 11, item 10).
func TestNamespaceWithAnotherNamespacesRestorePointIsNotDeleted(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	old, other := admin.Namespace(t, ws.ID, "old"), admin.Namespace(t, ws.ID, "other")
	dep := admin.Deployment(t, old.ID, "orig", enginetest.SQLDeployment(srcSQL))
	admin.StartRunning(t, dep.ID, api.StartRequest{})
	snap := admin.Snapshot(t, dep.ID, api.SnapshotRequest{})
	spec := enginetest.SQLDeployment(srcSQL)
	spec.RestorePoint = snap.ID
	user := admin.Deployment(t, other.ID, "user", spec)

	prob := admin.Fails(t, http.StatusConflict, api.CodeSnapshotInUse, "DELETE", "/namespaces/"+old.ID+"?force=true", nil)
	if !strings.Contains(prob.Detail, snap.ID) || !strings.Contains(prob.Detail, user.ID) {
		t.Fatalf("the refusal should name the snapshot and the dependant: %s", prob.Detail)
	}
	// Nothing was deleted: the namespace, its deployment and the restore point are all there.
	admin.Must(t, "GET", "/namespaces/"+old.ID, nil, nil)
	admin.Must(t, "GET", "/objects/"+dep.ID, nil, nil)
	job := admin.StartRunning(t, user.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if job.RestoredFrom != snap.ID {
		t.Fatalf("the dependant restored from %q, want %s", job.RestoredFrom, snap.ID)
	}

	// Once the dependant lets go, the forced delete removes everything, snapshot records and files.
	admin.Must(t, "DELETE", "/objects/"+user.ID, nil, nil)
	admin.Must(t, "DELETE", "/namespaces/"+old.ID+"?force=true", nil, nil)
	admin.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/snapshots/"+snap.ID, nil)
	if entries, _ := os.ReadDir(filepath.Join(env.DataDir, "storage", "namespaces", old.ID, "snapshots")); len(entries) > 0 {
		t.Fatalf("snapshot files of the deleted namespace remain: %d", len(entries))
	}
}

// TestAnEmptyNamespaceKeepsADependantsRestorePoint: the deployment that made the snapshot is gone, the
// namespace is empty, but its snapshot is still another namespace's restore point (issue 11, item 10).
func TestAnEmptyNamespaceKeepsADependantsRestorePoint(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	old, other := admin.Namespace(t, ws.ID, "old"), admin.Namespace(t, ws.ID, "other")
	dep := admin.Deployment(t, old.ID, "orig", enginetest.SQLDeployment(srcSQL))
	admin.StartRunning(t, dep.ID, api.StartRequest{})
	snap := admin.Snapshot(t, dep.ID, api.SnapshotRequest{})
	spec := enginetest.SQLDeployment(srcSQL)
	spec.RestorePoint = snap.ID
	user := admin.Deployment(t, other.ID, "user", spec)
	admin.Must(t, "DELETE", "/objects/"+dep.ID, nil, nil) // the restore point stays for user
	admin.Fails(t, http.StatusConflict, api.CodeSnapshotInUse, "DELETE", "/namespaces/"+old.ID, nil)
	job := admin.StartRunning(t, user.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if job.RestoredFrom != snap.ID {
		t.Fatalf("the dependant restored from %q, want %s", job.RestoredFrom, snap.ID)
	}
	admin.Must(t, "POST", "/deployments/"+user.ID+"/stop", api.StopRequest{}, nil)
	admin.WaitJob(t, user.ID, api.JobCancelled)
	admin.Must(t, "DELETE", "/objects/"+user.ID, nil, nil)
	admin.Must(t, "DELETE", "/namespaces/"+old.ID, nil, nil)
	admin.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/snapshots/"+snap.ID, nil)
}

// TestAStartThatCannotReachStorageEndsFailed (issue 11, item 10).
func TestAStartThatCannotReachStorageEndsFailed(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	var ws api.Workspace
	// An access key id without its secret: the bucket cannot be opened.
	admin.Must(t, "POST", "/workspaces", api.WorkspaceInput{Name: "broken", Region: "r1", Architecture: api.ArchX86,
		Storage: api.Storage{Type: api.StorageOSS, Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "AKID"}}, &ws)
	ns := admin.Namespace(t, ws.ID, "ns")
	dep := admin.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	if code, _ := admin.Do(t, "POST", "/deployments/"+dep.ID+"/start", api.StartRequest{}, nil); code < 400 {
		t.Fatalf("a start without storage answered %d", code)
	}
	var job api.Job
	admin.Must(t, "GET", "/deployments/"+dep.ID+"/job", nil, &job)
	if job.Status != api.JobFailed {
		t.Fatalf("job after a start without storage = %s, want FAILED", job.Status)
	}
}

// TestBoundsAreEnforced (issue 11, item 13).
func TestBoundsAreEnforced(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	src, dst := admin.Namespace(t, ws.ID, "src"), admin.Namespace(t, ws.ID, "dst")
	bad := map[string]func(*api.DeploymentSpec){
		"spec.checkpoint.interval":  func(s *api.DeploymentSpec) { s.Checkpoint.Interval = api.DurationOf(time.Nanosecond) },
		"spec.checkpoint.timeout":   func(s *api.DeploymentSpec) { s.Checkpoint.Timeout = api.DurationOf(time.Millisecond) },
		"spec.checkpoint.min_pause": func(s *api.DeploymentSpec) { s.Checkpoint.MinPause = api.DurationOf(48 * time.Hour) },
		"spec.checkpoint.retained":  func(s *api.DeploymentSpec) { s.Checkpoint.Retained = 1000 },
		"local.state-bytes":         func(s *api.DeploymentSpec) { s.FlinkConfiguration["local.state-bytes"] = "2gb" },
	}
	for field, mutate := range bad {
		spec := enginetest.SQLDeployment(srcSQL)
		mutate(&spec)
		raw, _ := json.Marshal(spec)
		prob := admin.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+src.ID+"/objects/deployments",
			api.ObjectInput{Name: "d", Spec: raw})
		if !strings.Contains(prob.Detail, field) {
			t.Errorf("%s: the refusal should name the field: %s", field, prob.Detail)
		}
	}
	dep := admin.Deployment(t, src.ID, "ok", enginetest.SQLDeployment(srcSQL))
	prob := admin.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "PUT", "/deployments/"+dep.ID+"/snapshot-policy",
		api.SnapshotPolicy{Cleanup: api.Cleanup{Enabled: true, KeepCount: 1, MaxAge: api.DurationOf(time.Nanosecond)}})
	if !strings.Contains(prob.Detail, "cleanup.max_age") {
		t.Errorf("max_age refusal: %s", prob.Detail)
	}
	for field, filter := range map[string]api.DeploymentFilter{
		"deployment_filter.statuses":        {Statuses: []string{"RUNING"}},
		"deployment_filter.engine_versions": {EngineVersions: []string{"8.0.9"}},
	} {
		prob := admin.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/clones",
			api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID, DeploymentFilter: &filter})
		if !strings.Contains(prob.Detail, field) {
			t.Errorf("%s: the refusal should name the field: %s", field, prob.Detail)
		}
	}
}
