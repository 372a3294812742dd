package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// TestCloneResumesAfterACrash kills a real engine process in the middle of a stateful clone, starts it
// again on the same data directory and checks the clone finishes with every object once and every
// copied state verified.
func TestCloneResumesAfterACrash(t *testing.T) {
	enginetest.SkipIfShort(t, "builds and runs the engine binary")
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
		spec.Checkpoint.Interval = api.DurationOf(50 * time.Millisecond)
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
	enginetest.Until(t, 60*time.Second, func() string { return "a first deployment cloned before the kill" }, func() bool {
		var page api.Page[api.CloneItem]
		a.Must(t, "GET", "/clones/"+c.ID+"/items", nil, &page)
		return slices.ContainsFunc(page.Items, func(it api.CloneItem) bool { return it.Status == api.ItemSucceeded })
	})
	proc.Kill()

	// The poll above may be stale by the time the kill lands: the journal itself says what was left.
	atKill := journal(t, dataDir, c.ID)
	var done, pending int
	for _, it := range atKill {
		switch it.Status {
		case api.ItemSucceeded:
			done++
		case api.ItemPending:
			pending++
		}
	}
	t.Logf("killed the engine with %d of %d deployments cloned, %d pending in the journal", done, deployments, pending)
	if pending == 0 || done == 0 {
		t.Fatalf("the journal at the kill has %d done and %d pending of %d: the crash did not land mid-clone, so nothing is resumed (make the state larger)",
			done, pending, deployments)
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
	if !strings.Contains(proc.Log(), "resuming clone") {
		t.Fatalf("the restarted engine did not say it resumed the clone:\n%s", proc.Log())
	}
	var snapIDs []string
	for _, it := range cloneItems(t, a, c.ID) {
		if it.Status != api.ItemSucceeded || !it.Stateful || strings.Contains(it.TargetName, "-clone-") {
			t.Fatalf("item after resume = %+v", it)
		}
		if before := atKill[it.Seq]; before.Status == api.ItemSucceeded && (before.TargetID != it.TargetID || before.SnapshotID != it.SnapshotID) {
			t.Fatalf("an item done before the crash was redone: %+v, was %+v", it, before)
		}
		verifyCopied(t, a, storage, it, dst.ID)
		snapIDs = append(snapIDs, it.SnapshotID)
	}
	// No partial copy is left behind: the target holds exactly the registered snapshots.
	enginetest.ExactSnapshotDirs(t, dataDir, dst.ID, snapIDs)
}

// journal reads a clone's items from the engine's metadata store (the engine must not be running), by seq.
func journal(t *testing.T, dataDir, cloneID string) map[int]api.CloneItem {
	t.Helper()
	st := enginetest.OpenStore(t, dataDir)
	defer st.Close()
	var items []api.CloneItem
	err := st.View(context.Background(), func(tx store.Tx) error {
		return tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": cloneID}, OrderBy: "seq"}, &items)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]api.CloneItem{}
	for _, it := range items {
		out[it.Seq] = it
	}
	return out
}

// journalRecord reads one clone item's raw journal record (with the executor's fields, such as the
// snapshot a DO_NOT_SKIP clone took) from the engine's metadata store; the engine must not be running.
func journalRecord(t *testing.T, dataDir, cloneID string, seq int) map[string]any {
	t.Helper()
	st := enginetest.OpenStore(t, dataDir)
	defer st.Close()
	var rec map[string]any
	err := st.View(context.Background(), func(tx store.Tx) error {
		return tx.Get(store.CloneItems, fmt.Sprintf("%s/%06d", cloneID, seq), &rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// A DO_NOT_SKIP clone that crashed after taking its snapshot of the running job, but before its copy was
// done, resumes with that snapshot: no second snapshot is taken, and the copy comes from the first.
func TestDoNotSkipCloneResumesWithTheSnapshotItTook(t *testing.T) {
	enginetest.SkipIfShort(t, "builds and runs the engine binary")
	dataDir := t.TempDir()
	proc := enginetest.StartProcess(t, dataDir)
	a := proc.Client(enginetest.AdminToken)
	ws := a.Workspace(t, "ws")
	src, dst := a.Namespace(t, ws.ID, "src"), a.Namespace(t, ws.ID, "dst")
	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.FlinkConfiguration["local.state-bytes"] = "16mb" // many small files: the copy takes a while
	spec.FlinkConfiguration["local.chunk-bytes"] = "16kb"
	dep := a.Deployment(t, src.ID, "live", spec)
	a.StartRunning(t, dep.ID, api.StartRequest{})

	var c api.Clone
	a.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID, Objects: []string{api.KindDeployment},
		StatePolicy: api.StateStateful, RunningPolicy: api.RunningDoNotSkip}, &c)
	takenBy := "taken by clone task " + c.ID
	var taken api.Snapshot
	enginetest.Until(t, 60*time.Second, func() string { return "the clone's snapshot of the running job to complete: " + taken.Status }, func() bool {
		for _, s := range listSnapshots(t, a, "deployment_id="+dep.ID).Items {
			if strings.Contains(s.Description, takenBy) {
				taken = s
			}
		}
		return taken.Status == api.SnapshotCompleted
	})
	proc.Kill()

	rec := journalRecord(t, dataDir, c.ID, 1)
	if rec["status"] != api.ItemPending {
		t.Fatalf("the item was %v at the kill, not PENDING: the copy finished first (make the state larger)", rec["status"])
	}
	if rec["source_snapshot"] != taken.ID {
		t.Fatalf("the journal records source snapshot %v, want %s", rec["source_snapshot"], taken.ID)
	}

	proc = enginetest.StartProcess(t, dataDir)
	a = proc.Client(enginetest.AdminToken)
	c = waitClone(t, a, c.ID)
	if c.Status != api.CloneSucceeded {
		t.Fatalf("resumed clone = %s (%s)", c.Status, c.Failure)
	}
	var mine []string
	for _, s := range listSnapshots(t, a, "deployment_id="+dep.ID).Items {
		if strings.Contains(s.Description, takenBy) {
			mine = append(mine, s.ID)
		}
	}
	if len(mine) != 1 || mine[0] != taken.ID {
		t.Fatalf("snapshots taken by the clone after resuming: %v, want only %s", mine, taken.ID)
	}
	storage, err := blob.NewFS(filepath.Join(dataDir, "storage"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sourceOfCopy(t, a, storage, cloneItems(t, a, c.ID)[0], dst.ID); got != taken.ID {
		t.Fatalf("the resumed copy came from %s, want the snapshot taken before the crash %s", got, taken.ID)
	}
	a.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
}
