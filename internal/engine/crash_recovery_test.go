package engine_test

import (
	"fmt"
	"io/fs"
	"net/http"

	"path/filepath"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// slowSnapshotSpec is a running job whose snapshots take seconds: thousands of small state files, each
// written and synced on its own. Checkpoints are rare so they do not compete.
func slowSnapshotSpec() api.DeploymentSpec {
	spec := enginetest.SQLDeployment(srcSQL)
	spec.FlinkConfiguration["local.state-bytes"] = "16mb"
	spec.FlinkConfiguration["local.chunk-bytes"] = "4kb"
	spec.Checkpoint.Interval = api.DurationOf(time.Hour)
	return spec
}

// filesUnder counts the regular files under dir (0 when it does not exist); it tolerates files vanishing
// during the walk, as they do while the engine deletes them.
func filesUnder(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func snapshotsDir(dataDir, nsID string) string {
	return filepath.Join(dataDir, "storage", "namespaces", nsID, "snapshots")
}

// TestSnapshotInterruptedByACrashEndsFailedWithoutFiles kills the engine while a snapshot is being
// written (issue 11, item 7).
func TestSnapshotInterruptedByACrashEndsFailedWithoutFiles(t *testing.T) {
	enginetest.SkipIfShort(t, "builds and runs the engine binary")
	dataDir := t.TempDir()
	proc := enginetest.StartProcess(t, dataDir)
	a := proc.Client(enginetest.AdminToken)
	ns := a.Namespace(t, a.Workspace(t, "ws").ID, "ns")
	dep := a.Deployment(t, ns.ID, "job", slowSnapshotSpec())
	a.StartRunning(t, dep.ID, api.StartRequest{})
	var snap api.Snapshot
	a.Must(t, "POST", "/deployments/"+dep.ID+"/snapshots", api.SnapshotRequest{}, &snap)
	dir := filepath.Join(snapshotsDir(dataDir, ns.ID), snap.ID)
	enginetest.Eventually(t, 30*time.Second, "the snapshot to be partly written", func() bool { return filesUnder(dir) >= 20 })
	proc.Kill()
	t.Logf("killed with %d files of snapshot %s written", filesUnder(dir), snap.ID)

	proc = enginetest.StartProcess(t, dataDir)
	a = proc.Client(enginetest.AdminToken)
	// One engine on SQLite recovers before it is ready; a replica on PostgreSQL once the dead one's lease
	// on the job lapses (a lease period).
	enginetest.Until(t, 30*time.Second, func() string {
		return fmt.Sprintf("snapshot after the crash = %s (%q), want FAILED with a reason", snap.Status, snap.Failure)
	}, func() bool {
		a.Must(t, "GET", "/snapshots/"+snap.ID, nil, &snap)
		return snap.Status == api.SnapshotFailed && snap.Failure != ""
	})
	if n := filesUnder(dir); n != 0 {
		t.Fatalf("%d partial files of the interrupted snapshot remain", n)
	}
	a.Must(t, "DELETE", "/snapshots/"+snap.ID, nil, nil) // and it can be deleted
}

// TestDoNotSkipCloneWaitingOnAnInterruptedSnapshotEnds kills the engine while a DO_NOT_SKIP clone waits
// for the snapshot it took; after the restart the clone ends and both namespaces are unlocked (item 8).
func TestDoNotSkipCloneWaitingOnAnInterruptedSnapshotEnds(t *testing.T) {
	enginetest.SkipIfShort(t, "builds and runs the engine binary")
	dataDir := t.TempDir()
	proc := enginetest.StartProcess(t, dataDir)
	a := proc.Client(enginetest.AdminToken)
	ws := a.Workspace(t, "ws")
	src, dst := a.Namespace(t, ws.ID, "src"), a.Namespace(t, ws.ID, "dst")
	dep := a.Deployment(t, src.ID, "job", slowSnapshotSpec())
	a.StartRunning(t, dep.ID, api.StartRequest{})
	var c api.Clone
	a.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, RunningPolicy: api.RunningDoNotSkip}, &c)
	enginetest.Eventually(t, 30*time.Second, "the clone's snapshot to be partly written", func() bool {
		return filesUnder(snapshotsDir(dataDir, src.ID)) >= 20
	})
	proc.Kill()

	proc = enginetest.StartProcess(t, dataDir)
	a = proc.Client(enginetest.AdminToken)
	c = waitClone(t, a, c.ID)
	t.Logf("clone after the crash: %s (%s)", c.Status, c.Failure)
	for _, ns := range []string{src.ID, dst.ID} {
		if lock := namespaceLock(t, a, ns); lock != "" {
			t.Fatalf("namespace %s still locked by %s after the clone ended", ns, lock)
		}
	}
}

// TestCancelEndsACloneWaitingOnASnapshotWithinSeconds (item 8, no crash): cancel interrupts the wait.
func TestCancelEndsACloneWaitingOnASnapshotWithinSeconds(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	a := env.Admin()
	ws := a.Workspace(t, "ws")
	src, dst := a.Namespace(t, ws.ID, "src"), a.Namespace(t, ws.ID, "dst")
	spec := slowSnapshotSpec()
	spec.FlinkConfiguration["local.state-bytes"] = "64mb"
	dep := a.Deployment(t, src.ID, "job", spec)
	a.StartRunning(t, dep.ID, api.StartRequest{})
	var c api.Clone
	a.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, RunningPolicy: api.RunningDoNotSkip}, &c)
	enginetest.Eventually(t, 30*time.Second, "the clone's snapshot to be under way", func() bool {
		return filesUnder(snapshotsDir(env.DataDir, src.ID)) >= 20
	})
	start := time.Now()
	a.Must(t, "POST", "/clones/"+c.ID+"/cancel", nil, nil)
	enginetest.Eventually(t, 5*time.Second, "the cancelled clone to end", func() bool {
		a.Must(t, "GET", "/clones/"+c.ID, nil, &c)
		return c.Status == api.CloneCancelled
	})
	t.Logf("cancelled in %s", time.Since(start))
	if lock := namespaceLock(t, a, src.ID); lock != "" {
		t.Fatalf("source still locked by %s", lock)
	}
}

// TestDeploymentDeleteInterruptedByACrashFinishes kills the engine while a deployment's snapshots are
// being deleted: no COMPLETED snapshot is left with files missing, and the next start finishes the
// delete (issue 11, item 9).
func TestDeploymentDeleteInterruptedByACrashFinishes(t *testing.T) {
	enginetest.SkipIfShort(t, "builds and runs the engine binary")
	dataDir := t.TempDir()
	proc := enginetest.StartProcess(t, dataDir)
	a := proc.Client(enginetest.AdminToken)
	ns := a.Namespace(t, a.Workspace(t, "ws").ID, "ns")
	spec := slowSnapshotSpec()
	spec.FlinkConfiguration["local.state-bytes"] = "8mb"
	dep := a.Deployment(t, ns.ID, "job", spec)
	a.StartRunning(t, dep.ID, api.StartRequest{})
	var snaps []api.Snapshot
	for range 3 {
		snaps = append(snaps, a.Snapshot(t, dep.ID, api.SnapshotRequest{}))
	}
	full := map[string]int{}
	for _, s := range snaps {
		full[s.ID] = filesUnder(filepath.Join(snapshotsDir(dataDir, ns.ID), s.ID))
	}
	// Sent by hand: the engine dies before it answers, which the test client would report as a failure.
	req, _ := http.NewRequest("DELETE", proc.URL+"/api/v1/objects/"+dep.ID, nil)
	req.Header.Set("Authorization", "Bearer "+enginetest.AdminToken)
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	enginetest.Eventually(t, 30*time.Second, "a snapshot's files to be going", func() bool {
		for id, n := range full {
			if filesUnder(filepath.Join(snapshotsDir(dataDir, ns.ID), id)) < n {
				return true
			}
		}
		return false
	})
	proc.Kill()

	// Right after the crash, as the records say: no COMPLETED snapshot misses a file.
	proc = enginetest.StartProcess(t, dataDir)
	a = proc.Client(enginetest.AdminToken)
	enginetest.Eventually(t, 30*time.Second, "the interrupted delete to finish", func() bool {
		code, _ := a.Do(t, "GET", "/objects/"+dep.ID, nil, nil)
		return code == 404
	})
	for _, s := range snaps {
		var got api.Snapshot
		if code, _ := a.Do(t, "GET", "/snapshots/"+s.ID, nil, &got); code != 404 {
			t.Errorf("snapshot %s of the deleted deployment is still %s", s.ID, got.Status)
		}
	}
	if n := filesUnder(snapshotsDir(dataDir, ns.ID)); n != 0 {
		t.Fatalf("%d snapshot files remain after the delete finished", n)
	}
}
