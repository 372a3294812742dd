package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// verifyCopied checks that a clone item's state is a COPIED snapshot in the target whose every file
// verifies against its sha256.
func verifyCopied(t *testing.T, c *enginetest.Client, storage blob.Store, it api.CloneItem, targetNS string) api.Snapshot {
	t.Helper()
	var s api.Snapshot
	c.Must(t, "GET", "/snapshots/"+it.SnapshotID, nil, &s)
	if s.Origin != api.OriginCopied || s.Status != api.SnapshotCompleted || s.NamespaceID != targetNS || s.DeploymentID != it.TargetID {
		t.Fatalf("copied snapshot = %+v", s)
	}
	if _, err := runtime.VerifyState(context.Background(), storage, "namespaces/"+targetNS+"/snapshots/"+s.ID); err != nil {
		t.Fatalf("copied state of %s does not verify: %v", it.SourceName, err)
	}
	return s
}

func TestCloneStatefulCopiesTheNewestStateAndHonoursTheErrorPolicy(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Deployment(t, ce.src.ID, "fresh", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	statefulDeployment(t, a, ce.src.ID, "old", "vvr-6.0.1-flink-1.15", "64kb")
	statefulDeployment(t, a, ce.src.ID, "ran", "vvr-8.0.9-flink-1.17", "64kb")

	req := ce.req(api.KindDeployment)
	req.StatePolicy = api.StateStateful
	c := runClone(t, a, req)
	if c.Status != api.ClonePartiallySucceeded || c.FailedCount != 1 {
		t.Fatalf("clone = %s failed %d (%s)", c.Status, c.FailedCount, c.Failure)
	}
	items := cloneItems(t, a, c.ID)
	if it := itemNamed(t, items, api.KindDeployment, "fresh"); it.Status != api.ItemSucceeded || it.Stateful || !strings.Contains(it.Message, "no completed") {
		t.Fatalf("a deployment that never ran clones without state and without failing: %+v", it)
	}
	if it := itemNamed(t, items, api.KindDeployment, "old"); it.Status != api.ItemFailed || !strings.Contains(it.Message, "6.0.2") {
		t.Fatalf("an engine older than VVR 6.0.2 cannot clone state: %+v", it)
	}
	ran := itemNamed(t, items, api.KindDeployment, "ran")
	if ran.Status != api.ItemSucceeded || !ran.Stateful {
		t.Fatalf("stateful item = %+v", ran)
	}
	snap := verifyCopied(t, a, ce.env.Managed, ran, ce.dst.ID)
	var cloned api.Object
	a.Must(t, "GET", "/objects/"+ran.TargetID, nil, &cloned)
	var spec api.DeploymentSpec
	_ = json.Unmarshal(cloned.Spec, &spec)
	if spec.RestorePoint != snap.ID {
		t.Fatalf("the cloned deployment's restore point is %q, want the copied snapshot %s", spec.RestorePoint, snap.ID)
	}
	if job := a.StartRunning(t, cloned.ID, api.StartRequest{}); job.RestoredFrom != snap.ID {
		t.Fatalf("the cloned job starts from %q, want the copied state %s", job.RestoredFrom, snap.ID)
	}
	a.Must(t, "POST", "/deployments/"+cloned.ID+"/stop", api.StopRequest{}, nil)

	// ALLOW_STATELESS falls back to a stateless copy instead of failing.
	req.ErrorPolicy = api.ErrorAllowStateless
	c = runClone(t, a, req)
	old := itemNamed(t, cloneItems(t, a, c.ID), api.KindDeployment, "old")
	if c.Status != api.CloneSucceeded || old.Status != api.ItemSucceeded || old.Stateful || !strings.Contains(old.Message, "ALLOW_STATELESS") {
		t.Fatalf("ALLOW_STATELESS clone = %s, item %+v", c.Status, old)
	}

	// STOP ends the task at the first failure; what was cloned before stays.
	req.ErrorPolicy = api.ErrorStop
	c = runClone(t, a, req)
	items = cloneItems(t, a, c.ID)
	if c.Status != api.CloneFailed || !strings.Contains(c.Failure, "STOP") {
		t.Fatalf("STOP clone = %s (%s)", c.Status, c.Failure)
	}
	for name, want := range map[string]string{"fresh": api.ItemSucceeded, "old": api.ItemFailed, "ran": api.ItemSkipped} {
		if it := itemNamed(t, items, api.KindDeployment, name); it.Status != want {
			t.Fatalf("under STOP %s is %s, want %s", name, it.Status, want)
		}
	}
	if status, _ := a.Do(t, "GET", "/objects/"+itemNamed(t, items, api.KindDeployment, "fresh").TargetID, nil, nil); status != 200 {
		t.Fatalf("what was cloned before the failure stays: %d", status)
	}
}

var copiedFrom = regexp.MustCompile(`from (snap-[0-9a-f]+) `)

func TestCloneRunningJobPolicies(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	dep := a.Deployment(t, ce.src.ID, "live", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	a.StartRunning(t, dep.ID, api.StartRequest{})
	a.WaitCheckpoints(t, dep.ID, 1)

	req := ce.req(api.KindDeployment)
	req.StatePolicy = api.StateStateful
	c := runClone(t, a, req)
	if it := cloneItems(t, a, c.ID)[0]; it.Status != api.ItemSkipped || !strings.Contains(it.Message, "SKIP") || c.SkippedCount != 1 {
		t.Fatalf("SKIP leaves a running job out: %+v", it)
	}

	req.RunningPolicy = api.RunningDoNotSkip
	c = runClone(t, a, req)
	it := cloneItems(t, a, c.ID)[0]
	if c.Status != api.CloneSucceeded || it.Status != api.ItemSucceeded || !it.Stateful {
		t.Fatalf("DO_NOT_SKIP clone = %s, item %+v", c.Status, it)
	}
	copied := verifyCopied(t, a, ce.env.Managed, it, ce.dst.ID)
	m := copiedFrom.FindStringSubmatch(copied.Description)
	if m == nil {
		t.Fatalf("the copy names its source snapshot: %q", copied.Description)
	}
	var taken api.Snapshot
	a.Must(t, "GET", "/snapshots/"+m[1], nil, &taken)
	if taken.DeploymentID != dep.ID || taken.Origin != api.OriginAutoTriggered || taken.Status != api.SnapshotCompleted {
		t.Fatalf("DO_NOT_SKIP takes a snapshot of the running job first: %+v", taken)
	}
	var cloned api.Object
	a.Must(t, "GET", "/objects/"+it.TargetID, nil, &cloned)
	if cloned.Status != "STOPPED" {
		t.Fatalf("a clone of a running job is STOPPED: %s", cloned.Status)
	}
	a.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
}

// corruptStateOf flips one byte in every state file of a deployment (its checkpoints and snapshots),
// keeping sizes and recorded checksums as they were.
func corruptStateOf(t *testing.T, dataDir, nsID, depID string) int {
	t.Helper()
	root := filepath.Join(dataDir, "storage", "namespaces", nsID)
	owned := map[string]bool{} // state directories of the deployment
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Name() == runtime.MetadataFile {
			var m runtime.Metadata
			b, _ := os.ReadFile(p)
			if json.Unmarshal(b, &m) == nil && m.DeploymentID == depID {
				owned[filepath.Dir(p)] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range owned {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "chunk-") || strings.Contains(e.Name(), ".blob-") {
				continue
			}
			f, err := os.OpenFile(filepath.Join(dir, e.Name()), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 1)
			_, _ = f.ReadAt(b, 0)
			b[0] ^= 0xff
			_, err = f.WriteAt(b, 0)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	return n
}

func TestCloneChecksumMismatchFailsItsObject(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	statefulDeployment(t, a, ce.src.ID, "good", "vvr-8.0.9-flink-1.17", "64kb")
	bad := statefulDeployment(t, a, ce.src.ID, "bad", "vvr-8.0.9-flink-1.17", "64kb")
	if n := corruptStateOf(t, ce.env.DataDir, ce.src.ID, bad.ID); n == 0 {
		t.Fatal("found no state files to corrupt")
	}
	req := ce.req(api.KindDeployment)
	req.StatePolicy = api.StateStateful
	c := runClone(t, a, req)
	items := cloneItems(t, a, c.ID)
	if it := itemNamed(t, items, api.KindDeployment, "bad"); c.Status != api.ClonePartiallySucceeded || it.Status != api.ItemFailed || !strings.Contains(it.Message, "sha256") {
		t.Fatalf("clone = %s; a corrupted state file fails its object naming the checksum: %+v", c.Status, it)
	}
	good := itemNamed(t, items, api.KindDeployment, "good")
	verifyCopied(t, a, ce.env.Managed, good, ce.dst.ID)
	dirs, err := os.ReadDir(filepath.Join(ce.env.DataDir, "storage", "namespaces", ce.dst.ID, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 1 || dirs[0].Name() != good.SnapshotID {
		t.Fatalf("a failed copy leaves nothing behind in the target: %v", dirs)
	}
}

var copiedSource = regexp.MustCompile(`from (\S+) of deployment`)

// sourceOfCopy returns the id of the snapshot or checkpoint a clone item's state was copied from.
func sourceOfCopy(t *testing.T, c *enginetest.Client, storage blob.Store, it api.CloneItem, targetNS string) string {
	t.Helper()
	copied := verifyCopied(t, c, storage, it, targetNS)
	m := copiedSource.FindStringSubmatch(copied.Description)
	if m == nil {
		t.Fatalf("the copy of %s does not name its source: %q", it.SourceName, copied.Description)
	}
	return m[1]
}

// A stateful clone copies the newer of the latest snapshot and the latest checkpoint, whichever order
// they were taken in.
func TestCloneStatefulCopiesTheNewerOfSnapshotAndCheckpoint(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin

	// Snapshot newest: the job stopped with a savepoint after its last checkpoint.
	savepointLast := statefulDeployment(t, a, ce.src.ID, "savepoint-last", "vvr-8.0.9-flink-1.17", "64kb")
	var snaps api.Page[api.Snapshot]
	enginetest.Until(t, 20*time.Second, func() string { return "the stop with savepoint to leave a completed snapshot" }, func() bool {
		a.Must(t, "GET", "/snapshots?deployment_id="+savepointLast.ID+"&status=COMPLETED", nil, &snaps)
		return len(snaps.Items) > 0
	})
	newestSnap := snaps.Items[0]

	// Checkpoint newest: a manual snapshot, then checkpoints after it, then a stop without savepoint.
	checkpointLast := a.Deployment(t, ce.src.ID, "checkpoint-last", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	a.StartRunning(t, checkpointLast.ID, api.StartRequest{})
	manual := a.Snapshot(t, checkpointLast.ID, api.SnapshotRequest{Description: "older than the last checkpoint"})
	var lastCP api.Checkpoint
	enginetest.Until(t, 20*time.Second, func() string {
		return fmt.Sprintf("a checkpoint completed after snapshot %s (%s), last %s at %v", manual.ID, manual.CompletedAt, lastCP.ID, lastCP.CompletedAt)
	}, func() bool {
		cps := a.WaitCheckpoints(t, checkpointLast.ID, 1)
		lastCP = cps[0]
		for _, cp := range cps {
			if cp.Sequence > lastCP.Sequence {
				lastCP = cp
			}
		}
		return lastCP.CompletedAt != nil && lastCP.CompletedAt.After(*manual.CompletedAt)
	})
	a.Must(t, "POST", "/deployments/"+checkpointLast.ID+"/stop", api.StopRequest{Strategy: api.StopNone}, nil)
	a.WaitJob(t, checkpointLast.ID, api.JobCancelled)
	cps := a.WaitCheckpoints(t, checkpointLast.ID, 1)
	newestCP := cps[0]
	for _, cp := range cps {
		if cp.Sequence > newestCP.Sequence {
			newestCP = cp
		}
	}
	if !newestCP.CompletedAt.After(*manual.CompletedAt) {
		t.Fatalf("setup: the retained checkpoint %s (%s) is not newer than snapshot %s (%s)", newestCP.ID, newestCP.CompletedAt, manual.ID, manual.CompletedAt)
	}

	req := ce.req(api.KindDeployment)
	req.StatePolicy = api.StateStateful
	c := runClone(t, a, req)
	if c.Status != api.CloneSucceeded {
		t.Fatalf("clone = %s (%s)", c.Status, c.Failure)
	}
	items := cloneItems(t, a, c.ID)
	if got := sourceOfCopy(t, a, ce.env.Managed, itemNamed(t, items, api.KindDeployment, "savepoint-last"), ce.dst.ID); got != newestSnap.ID {
		t.Fatalf("snapshot newer than the checkpoint: copied %s, want snapshot %s", got, newestSnap.ID)
	}
	if got := sourceOfCopy(t, a, ce.env.Managed, itemNamed(t, items, api.KindDeployment, "checkpoint-last"), ce.dst.ID); got != newestCP.ID {
		t.Fatalf("checkpoint newer than the snapshot: copied %s, want checkpoint %s (not snapshot %s)", got, newestCP.ID, manual.ID)
	}
}
