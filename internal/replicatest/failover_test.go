package replicatest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// cloneSetup is a source namespace of stopped deployments with large state (many small files: each copy
// takes a while, so a replica can be killed in the middle of a clone without sleeping) and an empty
// target namespace.
type cloneSetup struct {
	src, dst api.Namespace
	deps     int
}

func setUpStatefulClone(t testing.TB, c *enginetest.Client, deps int) cloneSetup {
	t.Helper()
	ws := c.Workspace(t, "ws")
	s := cloneSetup{src: c.Namespace(t, ws.ID, "src"), dst: c.Namespace(t, ws.ID, "dst"), deps: deps}
	var ids []string
	for i := range deps {
		spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
		spec.FlinkConfiguration["local.state-bytes"] = "4mb"
		spec.FlinkConfiguration["local.chunk-bytes"] = "16kb"
		spec.Checkpoint.Interval = api.DurationOf(50 * time.Millisecond)
		dep := c.Deployment(t, s.src.ID, fmt.Sprintf("job-%02d", i), spec)
		c.StartRunning(t, dep.ID, api.StartRequest{})
		ids = append(ids, dep.ID)
	}
	for _, id := range ids {
		c.WaitCheckpoints(t, id, 1)
		c.Must(t, "POST", "/deployments/"+id+"/stop", api.StopRequest{}, nil)
		c.WaitJob(t, id, api.JobCancelled)
	}
	return s
}

func (s cloneSetup) request() api.CloneRequest {
	return api.CloneRequest{SourceNamespaceID: s.src.ID, TargetNamespaceID: s.dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful}
}

// runnerOf waits until one of the replicas holds the clone's lease and returns it and the other.
func runnerOf(t testing.TB, a, b *enginetest.Process) (runner, other *enginetest.Process) {
	t.Helper()
	enginetest.Until(t, 60*time.Second, func() string { return "a replica to take the clone's lease" }, func() bool {
		switch {
		case held(t, a, "clone") > 0:
			runner, other = a, b
		case held(t, b, "clone") > 0:
			runner, other = b, a
		}
		return runner != nil
	})
	return runner, other
}

// cloneOnTwoReplicas starts two replicas with leases of period, sets up a stateful clone through the
// first and returns once one of them runs it.
func cloneOnTwoReplicas(t testing.TB, period time.Duration) (cl *cluster, s cloneSetup, c api.Clone, runner, other *enginetest.Process) {
	t.Helper()
	cl = newCluster(t, period)
	a, b := cl.start(), cl.start()
	s = setUpStatefulClone(t, a.Client(enginetest.AdminToken), 12)
	a.Client(enginetest.AdminToken).Must(t, "POST", "/clones", s.request(), &c)
	runner, other = runnerOf(t, a, b)
	return cl, s, c, runner, other
}

func items(t testing.TB, c *enginetest.Client, id string) []api.CloneItem {
	t.Helper()
	var page api.Page[api.CloneItem]
	c.Must(t, "GET", "/clones/"+id+"/items?limit=1000", nil, &page)
	return page.Items
}

func count(its []api.CloneItem, status string) int {
	n := 0
	for _, it := range its {
		if it.Status == status {
			n++
		}
	}
	return n
}

// killMidClone waits until the runner cloned a first deployment, kills it with SIGKILL and returns when
// it did, with the journal as the survivor reads it right after (the killed replica writes no more).
func killMidClone(t testing.TB, runner, other *enginetest.Process, cloneID string) (time.Time, []api.CloneItem) {
	t.Helper()
	c := other.Client(enginetest.AdminToken)
	enginetest.Until(t, 60*time.Second, func() string { return "a first deployment cloned before the kill" }, func() bool {
		return count(items(t, c, cloneID), api.ItemSucceeded) > 0
	})
	runner.Kill()
	return time.Now(), items(t, c, cloneID)
}

// Killing the replica that runs a stateful clone hands the clone to the other replica once the lease
// lapses: it ends SUCCEEDED with every deployment once, every item done before the kill kept as it
// was, and exactly the registered snapshot directories in the target.
func TestKillingTheReplicaOfAStatefulCloneHandsItToTheOther(t *testing.T) {
	enginetest.SkipIfShort(t, "runs two engine processes")
	cl, s, c, runner, survivor := cloneOnTwoReplicas(t, 3*time.Second)
	_, atKill := killMidClone(t, runner, survivor, c.ID)
	if done, pending := count(atKill, api.ItemSucceeded), count(atKill, api.ItemPending); done == 0 || pending == 0 {
		t.Fatalf("at the kill %d items were done and %d pending of %d: the kill did not land mid-clone (make the state larger)", done, pending, s.deps)
	}

	sc := survivor.Client(enginetest.AdminToken)
	enginetest.Until(t, 120*time.Second, func() string { return fmt.Sprintf("clone %s to end (%s)", c.ID, c.Status) }, func() bool {
		sc.Must(t, "GET", "/clones/"+c.ID, nil, &c)
		return c.Status != api.ClonePending && c.Status != api.CloneRunning
	})
	if c.Status != api.CloneSucceeded || c.TotalCount != s.deps || len(c.Renames) != 0 {
		t.Fatalf("clone after the failover = %s, %d items, renames %v (%s)", c.Status, c.TotalCount, c.Renames, c.Failure)
	}
	if r := readiness(t, survivor); r.Leases.Failovers < 1 {
		t.Fatalf("the survivor counts %d failovers, want at least 1 (it took the clone over)", r.Leases.Failovers)
	}
	if n := metric(t, survivor, "flink_engine_lease_failovers_total"); n < 1 {
		t.Fatalf("the survivor's /metrics counts %v failovers, want at least 1", n)
	}
	var targets api.Page[api.Object]
	sc.Must(t, "GET", "/namespaces/"+s.dst.ID+"/objects/"+api.KindDeployment+"?limit=1000", nil, &targets)
	if len(targets.Items) != s.deps {
		t.Fatalf("target has %d deployments, want %d (nothing twice)", len(targets.Items), s.deps)
	}
	before := map[int]api.CloneItem{}
	for _, it := range atKill {
		before[it.Seq] = it
	}
	var snapIDs []string
	for _, it := range items(t, sc, c.ID) {
		if it.Status != api.ItemSucceeded || !it.Stateful || strings.Contains(it.TargetName, "-clone-") {
			t.Fatalf("item after the failover = %+v", it)
		}
		if was := before[it.Seq]; was.Status == api.ItemSucceeded && (was.TargetID != it.TargetID || was.SnapshotID != it.SnapshotID) {
			t.Fatalf("an item done before the kill was redone: %+v, was %+v", it, was)
		}
		if _, err := os.Stat(filepath.Join(cl.dir, "storage", "namespaces", s.dst.ID, "snapshots", it.SnapshotID, "_metadata")); err != nil {
			t.Fatalf("item %d's snapshot has no metadata: %v", it.Seq, err)
		}
		snapIDs = append(snapIDs, it.SnapshotID)
	}
	if got := allSnapshots(t, sc, s.dst.ID, api.OriginCopied); len(got) != s.deps {
		t.Fatalf("target has %d snapshot records, want %d (one per deployment)", len(got), s.deps)
	}
	enginetest.ExactSnapshotDirs(t, cl.dir, s.dst.ID, snapIDs)
}

// A replica paused (SIGSTOP) in the middle of a clone loses its lease to the other, which finishes the
// clone. When the paused replica wakes up it still believes it runs the clone, but every transaction it
// tries is fenced off by the lease's new generation: it stops, and the clone's outcome shows one run —
// every deployment once, exactly the registered snapshot directories.
func TestAPausedReplicaCannotActOnTheCloneItLost(t *testing.T) {
	enginetest.SkipIfShort(t, "runs two engine processes")
	cl, s, c, runner, other := cloneOnTwoReplicas(t, 3*time.Second)
	oc := other.Client(enginetest.AdminToken)
	enginetest.Until(t, 60*time.Second, func() string { return "a first deployment cloned before the pause" }, func() bool {
		return count(items(t, oc, c.ID), api.ItemSucceeded) > 0
	})
	if err := runner.Pause(); err != nil {
		t.Fatal(err)
	}
	enginetest.Until(t, 60*time.Second, func() string { return "the other replica to take the clone over" }, func() bool {
		return held(t, other, "clone") > 0
	})
	if err := runner.Resume(); err != nil {
		t.Fatal(err)
	}
	enginetest.Until(t, 120*time.Second, func() string { return fmt.Sprintf("clone %s to end (%s)", c.ID, c.Status) }, func() bool {
		oc.Must(t, "GET", "/clones/"+c.ID, nil, &c)
		return c.Status != api.ClonePending && c.Status != api.CloneRunning
	})
	if c.Status != api.CloneSucceeded || c.TotalCount != s.deps {
		for _, it := range items(t, oc, c.ID) {
			if it.Status != api.ItemSucceeded {
				t.Errorf("item %d %s: %s", it.Seq, it.Status, it.Message)
			}
		}
		t.Fatalf("clone = %s, %d items (%s)", c.Status, c.TotalCount, c.Failure)
	}
	enginetest.Until(t, 30*time.Second, func() string { return "the woken replica to notice it lost the lease" }, func() bool {
		return readiness(t, runner).Leases.Lost > 0 || strings.Contains(runner.Log(), "lease: lost to another replica")
	})
	var targets api.Page[api.Object]
	oc.Must(t, "GET", "/namespaces/"+s.dst.ID+"/objects/"+api.KindDeployment+"?limit=1000", nil, &targets)
	if len(targets.Items) != s.deps {
		t.Fatalf("target has %d deployments, want %d (nothing twice)", len(targets.Items), s.deps)
	}
	var snapIDs []string
	for _, it := range items(t, oc, c.ID) {
		if it.Status != api.ItemSucceeded || strings.Contains(it.TargetName, "-clone-") {
			t.Fatalf("item = %+v", it)
		}
		snapIDs = append(snapIDs, it.SnapshotID)
	}
	if got := allSnapshots(t, oc, s.dst.ID, api.OriginCopied); len(got) != s.deps {
		t.Fatalf("target has %d snapshot records, want %d", len(got), s.deps)
	}
	// The woken replica may still be finishing a copy it had begun; its files land under ids that the
	// journal fixed, so they are the same files. Wait until it has stopped before looking.
	enginetest.Until(t, 30*time.Second, func() string { return "the woken replica to hold nothing" }, func() bool {
		return held(t, runner, "clone") == 0
	})
	enginetest.ExactSnapshotDirs(t, cl.dir, s.dst.ID, snapIDs)
}
