package engine_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// noLeak fails when a refusal's text names anything of the victim's namespace that the caller did not send.
func noLeak(t *testing.T, prob api.Problem, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(prob.Detail, s) {
			t.Fatalf("refusal reveals %q: %s", s, prob.Detail)
		}
	}
}

// TestIdsInBodiesAreAuthorizedLikePathIds: an EDITOR of one namespace cannot reach another namespace's
// state through a restore point, a snapshot id, a clone's namespaces or a storage path, and learns
// nothing about it (issue 11, item 1).
func TestIdsInBodiesAreAuthorizedLikePathIds(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	victim := admin.Namespace(t, ws.ID, "victim")
	mine := admin.Namespace(t, ws.ID, "mine")
	secretDep := admin.Deployment(t, victim.ID, "payments", enginetest.SQLDeployment(srcSQL))
	admin.StartRunning(t, secretDep.ID, api.StartRequest{})
	snap := admin.Snapshot(t, secretDep.ID, api.SnapshotRequest{})
	admin.Must(t, "POST", "/deployments/"+secretDep.ID+"/stop", api.StopRequest{}, nil)
	admin.WaitJob(t, secretDep.ID, api.JobCancelled)

	mallory := env.As(admin.NewToken(t, "mallory"))
	admin.Member(t, mine.ID, "mallory", api.RoleEditor)
	secrets := []string{victim.ID, victim.Name, secretDep.ID, secretDep.Name, snap.Location, "namespaces/" + victim.ID}

	// Written into a spec: refused as not found.
	spec := enginetest.SQLDeployment(srcSQL)
	spec.RestorePoint = snap.ID
	raw, _ := json.Marshal(spec)
	prob := mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/namespaces/"+mine.ID+"/objects/deployments",
		api.ObjectInput{Name: "thief", Spec: raw})
	noLeak(t, prob, secrets...)

	// A spec the admin wrote (or one written before the caller lost access) is checked again at start.
	planted := admin.Deployment(t, mine.ID, "planted", spec)
	prob = mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/deployments/"+planted.ID+"/start", api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	noLeak(t, prob, secrets...)
	prob = mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/deployments/"+planted.ID+"/start", api.StartRequest{RestoreStrategy: api.RestoreLatestSavepoint})
	noLeak(t, prob, secrets...)
	var job api.Job
	if code, _ := mallory.Do(t, "GET", "/deployments/"+planted.ID+"/job", nil, &job); code == http.StatusOK {
		t.Fatalf("a refused start left job %+v", job)
	}

	// A snapshot id in a start request.
	own := mallory.Deployment(t, mine.ID, "own", enginetest.SQLDeployment(srcSQL))
	prob = mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/deployments/"+own.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	noLeak(t, prob, secrets...)

	// A clone's source namespace.
	prob = mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/clones",
		api.CloneRequest{SourceNamespaceID: victim.ID, TargetNamespaceID: mine.ID})
	noLeak(t, prob, victim.Name)
	prob = mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/clones",
		api.CloneRequest{SourceNamespaceID: mine.ID, TargetNamespaceID: victim.ID})
	noLeak(t, prob, victim.Name)

	// A storage path of another namespace as a JAR.
	jar := api.DeploymentSpec{Type: api.DeploymentJAR, EngineVersion: spec.EngineVersion,
		Jar: &api.JarSpec{URI: snap.Location + "/_metadata"}}
	raw, _ = json.Marshal(jar)
	mallory.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/namespaces/"+mine.ID+"/objects/deployments",
		api.ObjectInput{Name: "jarthief", Spec: raw})

	// References are names in the deployment's own namespace, never paths or ids elsewhere.
	spec = enginetest.SQLDeployment(srcSQL)
	spec.FileResources = []string{"../" + victim.ID + "/files"}
	raw, _ = json.Marshal(spec)
	mallory.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+mine.ID+"/objects/deployments",
		api.ObjectInput{Name: "refs", Spec: raw})

	// With VIEWER on the victim namespace the same restore point is allowed.
	admin.Member(t, victim.ID, "mallory", api.RoleViewer)
	job = mallory.StartRunning(t, planted.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if job.RestoredFrom != snap.ID {
		t.Fatalf("with VIEWER the start restored from %q, want %s", job.RestoredFrom, snap.ID)
	}
}
