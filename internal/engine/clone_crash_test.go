package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// TestCloneResumesAfterACrash kills a real engine process in the middle of a stateful clone, starts it
// again on the same data directory and checks the clone finishes with every object once and every
// copied state verified.
func TestCloneResumesAfterACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the engine binary")
	}
	dataDir := t.TempDir()
	proc := enginetest.StartProcess(t, dataDir)
	a := proc.Client(enginetest.AdminToken)
	ws := a.Workspace(t, "ws")
	src, dst := a.Namespace(t, ws.ID, "src"), a.Namespace(t, ws.ID, "dst")

	// Many small state files make each copy take a while (a link, a checksum sidecar and fsyncs each).
	const deployments = 12
	var deps []api.Object
	for i := range deployments {
		spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
		spec.FlinkConfiguration["local.state-bytes"] = "4mb"
		spec.FlinkConfiguration["local.chunk-bytes"] = "16kb"
		spec.Checkpoint.Interval = api.Duration(50 * time.Millisecond)
		dep := a.Deployment(t, src.ID, fmt.Sprintf("job-%02d", i), spec)
		a.StartRunning(t, dep.ID, api.StartRequest{})
		deps = append(deps, dep)
	}
	for _, dep := range deps {
		a.WaitCheckpoints(t, dep.ID, 1)
		a.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
		a.WaitJob(t, dep.ID, api.JobCancelled)
	}

	var c api.Clone
	a.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful}, &c)
	done := 0
	enginetest.Eventually(t, 60*time.Second, "some deployments cloned", func() bool {
		var page api.Page[api.CloneItem]
		a.Must(t, "GET", "/clones/"+c.ID+"/items", nil, &page)
		done = 0
		for _, it := range page.Items {
			if it.Status == api.ItemSucceeded {
				done++
			}
		}
		return done > 0
	})
	proc.Kill()
	t.Logf("killed the engine with %d of %d deployments cloned", done, deployments)
	if done >= deployments {
		t.Fatalf("the clone ended before the crash (%d of %d done): make its state larger", done, deployments)
	}

	proc = enginetest.StartProcess(t, dataDir)
	a = proc.Client(enginetest.AdminToken)
	c = waitClone(t, a, c.ID)
	if c.Status != api.CloneSucceeded || c.TotalCount != deployments || len(c.Renames) != 0 {
		t.Fatalf("resumed clone = %s total %d renames %v (%s)", c.Status, c.TotalCount, c.Renames, c.Failure)
	}
	targets := objects(t, a, dst.ID, api.KindDeployment)
	if len(targets) != deployments {
		t.Fatalf("target has %d deployments, want %d (nothing twice)", len(targets), deployments)
	}
	storage, err := blob.NewFS(filepath.Join(dataDir, "storage"))
	if err != nil {
		t.Fatal(err)
	}
	var snapIDs []string
	for _, it := range cloneItems(t, a, c.ID) {
		if it.Status != api.ItemSucceeded || !it.Stateful || strings.Contains(it.TargetName, "-clone-") {
			t.Fatalf("item after resume = %+v", it)
		}
		verifyCopied(t, a, storage, it, dst.ID)
		snapIDs = append(snapIDs, it.SnapshotID)
	}
	// No partial copy is left behind: the target holds exactly the registered snapshots.
	entries, err := os.ReadDir(filepath.Join(dataDir, "storage", "namespaces", dst.ID, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	slices.Sort(dirs)
	slices.Sort(snapIDs)
	if !slices.Equal(dirs, snapIDs) {
		t.Fatalf("target snapshot directories %v, want exactly %v", dirs, snapIDs)
	}
}
