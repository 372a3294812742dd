package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// replicaPeriod is short so that handovers happen within a test (nothing waits for it by the clock), and
// long enough that a busy machine renews every lease in time.
const replicaPeriod = 2 * time.Second

// held counts the job leases a replica holds.
func held(env *enginetest.Env) int {
	s, _ := env.Engine.ReplicaStats()
	return s.HeldByKind["job"]
}

// Two replicas on one store: each job is watched by the replica that started it, which alone fires its
// deployment's schedule (policies written through the other replica included); when one replica stops,
// the other takes its jobs over, restarts them from their checkpoints and fires their next windows. Every
// due window fires exactly once.
func TestReplicasFireEachDueWindowOnceAndTakeOverAStoppedReplicasJobs(t *testing.T) {
	clock := newFakeClock(mustTime(t, "2025-01-06T12:00:30Z"))
	opts := enginetest.Options{DataDir: t.TempDir(), Clock: clock.Now, LeasePeriod: replicaPeriod}
	a, b := enginetest.Start(t, opts), enginetest.Start(t, opts)
	ca, cb := a.Admin(), b.Admin()
	ns := ca.Namespace(t, ca.Workspace(t, "ws").ID, "ns")
	const n = 12
	var deps []api.Object
	for i := range n {
		on, other := ca, cb
		if i%2 == 1 {
			on, other = cb, ca
		}
		spec := enginetest.SQLDeployment(srcSQL)
		spec.Checkpoint.Interval = api.DurationOf(100 * time.Millisecond)
		dep := on.Deployment(t, ns.ID, fmt.Sprintf("job-%02d", i), spec)
		on.StartRunning(t, dep.ID, api.StartRequest{})
		putPolicy(t, other, dep.ID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "*/10 * * * *"}})
		deps = append(deps, dep)
	}
	if held(a) != n/2 || held(b) != n/2 {
		t.Fatalf("leases held: a %d, b %d; want %d each (the replica that starts a job watches it)", held(a), held(b), n/2)
	}
	fire := func(at string, envs ...*enginetest.Env) {
		t.Helper()
		clock.Set(mustTime(t, at))
		var wg sync.WaitGroup
		for _, env := range envs {
			wg.Add(1)
			go func() { defer wg.Done(); env.Engine.WakeScheduler() }()
		}
		wg.Wait()
		for _, dep := range deps {
			for _, s := range scheduled(t, cb, dep.ID) {
				if s.Status == api.SnapshotStarted {
					cb.WaitSnapshot(t, s.ID, api.SnapshotCompleted)
				}
			}
		}
	}
	want := func(windows ...string) {
		t.Helper()
		for _, dep := range deps {
			var got []string
			for _, s := range scheduled(t, cb, dep.ID) {
				if s.Status != api.SnapshotCompleted {
					t.Fatalf("%s: scheduled snapshot %s is %s (%s)", dep.Name, s.ID, s.Status, s.Failure)
				}
				got = append(got, s.Description)
			}
			slices.Sort(got)
			var exp []string
			for _, w := range windows {
				exp = append(exp, fmt.Sprintf("scheduled by cron %q (UTC) for %s", "*/10 * * * *", w))
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("%s: scheduled snapshots\n%q\nwant one per window\n%q", dep.Name, got, exp)
			}
		}
	}
	fire("2025-01-06T12:10:00Z", a, b)
	fire("2025-01-06T12:20:00Z", a, b)
	want("2025-01-06T12:10:00Z", "2025-01-06T12:20:00Z")

	a.Stop(t)
	enginetest.Until(t, 60*time.Second, func() string { return fmt.Sprintf("b to watch all %d jobs (holds %d)", n, held(b)) },
		func() bool { return held(b) == n })
	for _, dep := range deps {
		cb.WaitJob(t, dep.ID, api.JobRunning)
	}
	if s, _ := b.Engine.ReplicaStats(); s.Failovers != 0 {
		t.Fatalf("a stopped cleanly and released its leases, yet b counts %d failovers", s.Failovers)
	}
	fire("2025-01-06T12:30:00Z", b)
	want("2025-01-06T12:10:00Z", "2025-01-06T12:20:00Z", "2025-01-06T12:30:00Z")
}

// A replica that stops in the middle of a stateful clone hands it over: the other replica finishes it
// from the journal, with every deployment once and no state directory left over.
func TestAReplicaFinishesTheCloneOfAReplicaThatStopped(t *testing.T) {
	dir := t.TempDir()
	held2 := make(chan struct{})
	var once sync.Once
	a := enginetest.Start(t, enginetest.Options{DataDir: dir, LeasePeriod: replicaPeriod, Configure: func(e *engine.Engine) {
		e.SetCloneItemHook(func(ctx context.Context, it api.CloneItem) {
			if it.Seq >= 3 { // the first two are cloned here, the rest wait until this replica stops
				once.Do(func() { close(held2) })
				<-ctx.Done()
			}
		})
	}})
	b := enginetest.Start(t, enginetest.Options{DataDir: dir, LeasePeriod: replicaPeriod})
	ca, cb := a.Admin(), b.Admin()
	ws := ca.Workspace(t, "ws")
	src, dst := ca.Namespace(t, ws.ID, "src"), ca.Namespace(t, ws.ID, "dst")
	const deployments = 5
	for i := range deployments {
		spec := enginetest.SQLDeployment(srcSQL)
		spec.Checkpoint.Interval = api.DurationOf(50 * time.Millisecond)
		dep := ca.Deployment(t, src.ID, fmt.Sprintf("job-%02d", i), spec)
		ca.StartRunning(t, dep.ID, api.StartRequest{})
		ca.WaitCheckpoints(t, dep.ID, 1)
		ca.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
		ca.WaitJob(t, dep.ID, api.JobCancelled)
	}
	var c api.Clone
	ca.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, ErrorPolicy: api.ErrorStop}, &c)
	select {
	case <-held2:
	case <-time.After(60 * time.Second):
		t.Fatal("the clone never reached its third item on replica a")
	}
	a.Stop(t)

	c = waitClone(t, cb, c.ID)
	if c.Status != api.CloneSucceeded || c.TotalCount != deployments {
		t.Fatalf("clone finished by b = %s, %d items (%s)", c.Status, c.TotalCount, c.Failure)
	}
	if got := objects(t, cb, dst.ID, api.KindDeployment); len(got) != deployments {
		t.Fatalf("target has %d deployments, want %d (nothing twice)", len(got), deployments)
	}
	storage, err := blob.NewFS(filepath.Join(dir, "storage"))
	if err != nil {
		t.Fatal(err)
	}
	var snapIDs []string
	for _, it := range cloneItems(t, cb, c.ID) {
		verifyCopied(t, cb, storage, it, dst.ID)
		snapIDs = append(snapIDs, it.SnapshotID)
	}
	enginetest.ExactSnapshotDirs(t, dir, dst.ID, snapIDs)
}

// Readiness reports the store, and leases only for a replica: one process on its own SQLite file has none.
func TestReadinessReportsLeasesOnlyForReplicas(t *testing.T) {
	alone := enginetest.Start(t, enginetest.Options{})
	if r := alone.Engine.Readiness(context.Background()); !r.StoreReady || r.Store != "ok" || r.Leases != nil {
		t.Fatalf("a single engine's readiness = %+v, want the store ok and no leases", r)
	}
	replica := enginetest.Start(t, enginetest.Options{LeasePeriod: replicaPeriod})
	r := replica.Engine.Readiness(context.Background())
	if !r.StoreReady || r.Leases == nil || r.Leases.Owner == "" || r.Leases.RenewError != "" {
		t.Fatalf("a replica's readiness = %+v, want the store ok and its lease state", r)
	}
}
