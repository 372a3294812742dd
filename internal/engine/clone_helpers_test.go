package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// cloneEnv is an engine with a source and a target namespace (one workspace each, clone enabled).
type cloneEnv struct {
	env      *enginetest.Env
	admin    *enginetest.Client
	src, dst api.Namespace
	gate     *itemGate
}

func newCloneEnv(t *testing.T) *cloneEnv {
	t.Helper()
	gate := &itemGate{}
	env := enginetest.Start(t, enginetest.Options{Configure: func(e *engine.Engine) { e.SetCloneItemHook(gate.wait) }})
	// Registered after Start, so it runs before the engine closes: a test that fails while the gate is
	// held still ends at once.
	t.Cleanup(gate.release)
	admin := env.Admin()
	wsA, wsB := admin.Workspace(t, "ws-a"), admin.Workspace(t, "ws-b")
	return &cloneEnv{env: env, admin: admin, src: admin.Namespace(t, wsA.ID, "src"), dst: admin.Namespace(t, wsB.ID, "dst"), gate: gate}
}

// itemGate holds clone executors before an item while closed, so a test can look at a RUNNING task.
// A held executor also lets go when its context ends (the engine closes).
type itemGate struct {
	mu      sync.Mutex
	skip    int // items to let through before holding
	blocked chan struct{}
	reached chan struct{}
}

// hold makes the next items wait until release; reached is closed once an executor waits.
func (g *itemGate) hold() (reached <-chan struct{}) { return g.holdAfter(0) }

// holdAfter lets n items through, then holds the following ones like hold.
func (g *itemGate) holdAfter(n int) (reached <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.skip, g.blocked, g.reached = n, make(chan struct{}), make(chan struct{})
	return g.reached
}

func (g *itemGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.blocked != nil {
		close(g.blocked)
		g.blocked = nil
	}
}

func (g *itemGate) wait(ctx context.Context, _ api.CloneItem) {
	g.mu.Lock()
	blocked, reached := g.blocked, g.reached
	if blocked != nil && g.skip > 0 {
		g.skip--
		blocked = nil
	}
	if blocked != nil {
		select {
		case <-reached:
		default:
			close(reached)
		}
	}
	g.mu.Unlock()
	if blocked != nil {
		select {
		case <-blocked:
		case <-ctx.Done():
		}
	}
}

// waitReached waits for an executor to reach the gate, failing the test (not hanging it) after a while.
func waitReached(t *testing.T, reached <-chan struct{}) {
	t.Helper()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Fatal("no clone item reached the gate within 30s")
	}
}

func (ce *cloneEnv) req(objects ...string) api.CloneRequest {
	return api.CloneRequest{SourceNamespaceID: ce.src.ID, TargetNamespaceID: ce.dst.ID, Objects: objects}
}

func startClone(t *testing.T, c *enginetest.Client, req api.CloneRequest) api.Clone {
	t.Helper()
	var out api.Clone
	c.Must(t, "POST", "/clones", req, &out)
	if out.ID == "" || out.Status != api.ClonePending {
		t.Fatalf("a new clone task should be PENDING with an id: %+v", out)
	}
	return out
}

func cloneEnded(status string) bool {
	return status != api.ClonePending && status != api.CloneRunning
}

func waitClone(t *testing.T, c *enginetest.Client, id string) api.Clone {
	t.Helper()
	var out api.Clone
	enginetest.Until(t, 60*time.Second, func() string {
		return fmt.Sprintf("clone %s to end (last %s, %d%% of %d items: %s)", id, out.Status, out.Progress.Percent, out.TotalCount, out.Failure)
	}, func() bool {
		c.Must(t, "GET", "/clones/"+id, nil, &out)
		return cloneEnded(out.Status)
	})
	return out
}

// runClone starts a clone and waits until it ended.
func runClone(t *testing.T, c *enginetest.Client, req api.CloneRequest) api.Clone {
	t.Helper()
	return waitClone(t, c, startClone(t, c, req).ID)
}

func cloneItems(t *testing.T, c *enginetest.Client, id string) []api.CloneItem {
	t.Helper()
	var page api.Page[api.CloneItem]
	c.Must(t, "GET", "/clones/"+id+"/items?limit=1000", nil, &page)
	return page.Items
}

func itemNamed(t *testing.T, items []api.CloneItem, kind, name string) api.CloneItem {
	t.Helper()
	for _, it := range items {
		if it.Kind == kind && it.SourceName == name {
			return it
		}
	}
	t.Fatalf("no clone item for %s %q in %+v", kind, name, items)
	return api.CloneItem{}
}

func objects(t *testing.T, c *enginetest.Client, nsID, kind string) map[string]api.Object {
	t.Helper()
	var page api.Page[api.Object]
	c.Must(t, "GET", "/namespaces/"+nsID+"/objects/"+kind+"?limit=1000", nil, &page)
	out := map[string]api.Object{}
	for _, o := range page.Items {
		out[o.Name] = o
	}
	return out
}

func namespaceLock(t *testing.T, c *enginetest.Client, nsID string) string {
	t.Helper()
	var ns api.Namespace
	c.Must(t, "GET", "/namespaces/"+nsID, nil, &ns)
	return ns.LockedBy
}

// statefulDeployment is a deployment that ran, took checkpoints, and stopped with a savepoint, so it has
// completed state of stateBytes.
func statefulDeployment(t *testing.T, c *enginetest.Client, nsID, name, engineVersion, stateBytes string) api.Object {
	t.Helper()
	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.EngineVersion = engineVersion
	spec.FlinkConfiguration["local.state-bytes"] = stateBytes
	dep := c.Deployment(t, nsID, name, spec)
	c.StartRunning(t, dep.ID, api.StartRequest{})
	c.WaitCheckpoints(t, dep.ID, 1)
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{Strategy: api.StopWithSavepoint}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)
	// The savepoint's record may complete just after the job's: wait, so the state is settled.
	var snaps api.Page[api.Snapshot]
	enginetest.Until(t, 20*time.Second, func() string { return "the savepoint of " + name + " to complete" }, func() bool {
		c.Must(t, "GET", "/snapshots?deployment_id="+dep.ID+"&status=COMPLETED", nil, &snaps)
		return len(snaps.Items) > 0
	})
	return dep
}

func mustStatus(t *testing.T, got, want int, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d", what, got, want)
	}
}
