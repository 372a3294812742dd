package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
	"github.com/streamstate/terraform-provider-flink/internal/provider"
)

// clonePair creates a clone-enabled workspace in region with a source and a target namespace; they are
// deleted when the test ends.
func clonePair(t *testing.T, region string) (src, dst api.Namespace) {
	t.Helper()
	c, ctx := acctest.Client(t), acctest.Context(t)
	ws, err := c.CreateWorkspace(ctx, api.WorkspaceInput{Name: acctest.RandomName("acc-clone"), Region: region,
		Architecture: api.ArchX86, Storage: api.Storage{Type: api.StorageManaged}, CloneEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteWorkspace(context.Background(), ws.ID) })
	return acctest.CreateNamespace(t, ws.ID), acctest.CreateNamespace(t, ws.ID)
}

// startedDeployment creates a SQL deployment with spec and starts it: it returns once the job runs.
func startedDeployment(t *testing.T, nsID, name string, spec api.DeploymentSpec) api.Object {
	t.Helper()
	c, ctx := acctest.Client(t), acctest.Context(t)
	spec.Type, spec.SQL = api.DeploymentSQL, "INSERT INTO sink SELECT * FROM src"
	dep, err := c.CreateDeployment(ctx, nsID, name, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartDeployment(ctx, dep.ID, api.StartRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForJobStatus(ctx, dep.ID, api.JobRunning); err != nil {
		t.Fatal(err)
	}
	return dep
}

// stoppedWithState creates a deployment that ran and stopped with a savepoint, so it has state of
// stateBytes in chunks of chunkBytes (many chunks make a slow copy).
func stoppedWithState(t *testing.T, nsID, name, engineVersion, stateBytes, chunkBytes string) api.Object {
	t.Helper()
	c, ctx := acctest.Client(t), acctest.Context(t)
	dep := startedDeployment(t, nsID, name, api.DeploymentSpec{EngineVersion: engineVersion,
		Checkpoint:         api.CheckpointSettings{Interval: api.DurationOf(100 * time.Millisecond)},
		FlinkConfiguration: map[string]string{"local.state-bytes": stateBytes, "local.chunk-bytes": chunkBytes}})
	if _, err := c.StopDeployment(ctx, dep.ID, api.StopRequest{Strategy: api.StopWithSavepoint}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForJobStatus(ctx, dep.ID, api.JobCancelled); err != nil {
		t.Fatal(err)
	}
	return dep
}

func statefulCloneConfig(src, dst api.Namespace, extra string) string {
	return fmt.Sprintf(`
resource "flink_namespace_clone" "c" {
  source_namespace_id = %q
  target_namespace_id = %q
  objects             = ["deployments"]
  state_policy        = "STATEFUL"
%s
}
`, src.ID, dst.ID, extra)
}

// checkCloneForgotten is the CheckDestroy of a clone: destroy forgets the task but keeps its history
// (the product keeps clone history), so the task must have ended and left both namespaces unlocked.
func checkCloneForgotten(want string, namespaces ...api.Namespace) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c, err := client.New(client.Config{Endpoint: acctest.Endpoint(), Token: os.Getenv(provider.EnvToken)})
		if err != nil {
			return err
		}
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "flink_namespace_clone" {
				continue
			}
			got, err := c.GetClone(context.Background(), rs.Primary.ID)
			if err != nil {
				return fmt.Errorf("the history of clone %s should stay after destroy: %w", rs.Primary.ID, err)
			}
			if got.Status != want {
				return fmt.Errorf("clone %s is %s after destroy, want %s", got.ID, got.Status, want)
			}
		}
		for _, ns := range namespaces {
			got, err := c.GetNamespace(context.Background(), ns.ID)
			if err != nil {
				return err
			}
			if got.LockedBy != "" {
				return fmt.Errorf("namespace %s is still locked by %s after destroy", ns.ID, got.LockedBy)
			}
		}
		return nil
	}
}

// A clone that ends FAILED (error_policy STOP at a deployment too old to clone state) fails the apply
// with the task, its status, why it stopped and each failed object; the task stays in the state, so
// destroy deletes it.
func TestAccNamespaceCloneFailedIsAnErrorListingFailedObjects(t *testing.T) {
	acctest.PreCheck(t)
	src, dst := clonePair(t, "acc-region")
	stoppedWithState(t, src.ID, "old", "vvr-6.0.1-flink-1.15", "16kb", "16kb")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkCloneForgotten(api.CloneFailed, src, dst),
		Steps: []resource.TestStep{{
			Config: statefulCloneConfig(src, dst, `  error_policy = "STOP"`),
			ExpectError: regexp.MustCompile(`(?s)Cloning namespace ` + src.ID + ` into ` + dst.ID + ` failed.*Clone clone-[0-9a-f]+ ended\s+FAILED.*STOP` +
				`.*already cloned stay in the target.*deployments "old":.*VVR 6\.0\.2 or later`),
		}},
	})
}

// PARTIALLY_SUCCEEDED is not an error: the apply succeeds and the outcome is in the state.
func TestAccNamespaceClonePartiallySucceededIsRecorded(t *testing.T) {
	acctest.PreCheck(t)
	src, dst := clonePair(t, "acc-region")
	stoppedWithState(t, src.ID, "old", "vvr-6.0.1-flink-1.15", "16kb", "16kb")
	stoppedWithState(t, src.ID, "new", "vvr-8.0.9-flink-1.17", "16kb", "16kb")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkCloneForgotten(api.ClonePartiallySucceeded, src, dst),
		Steps: []resource.TestStep{{
			Config: statefulCloneConfig(src, dst, ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("flink_namespace_clone.c", "status", api.ClonePartiallySucceeded),
				resource.TestCheckResourceAttr("flink_namespace_clone.c", "total_count", "2"),
				resource.TestCheckResourceAttr("flink_namespace_clone.c", "failed_count", "1"),
			),
		}},
	})
}

// A clone the engine refuses (namespaces in two regions) fails the apply with the engine's reason, and
// nothing is left in the state.
func TestAccNamespaceCloneRefusedByTheEngine(t *testing.T) {
	acctest.PreCheck(t)
	src, _ := clonePair(t, "acc-region")
	_, elsewhere := clonePair(t, "acc-other-region")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      statefulCloneConfig(src, elsewhere, ""),
			ExpectError: regexp.MustCompile(`(?s)Cloning namespace.*failed.*region "acc-region".*"acc-other-region".*clones stay within\s+one\s+region`),
		}},
	})
}

// cloneBeforeNextUpdate makes a pair of namespaces whose source holds a deployment with a thousand state
// files (a stateful clone of seconds) and a proxy that, once armed, starts that clone right before
// Terraform's next update reaches the engine. It returns the target namespace, the proxy and where the
// clone's id is written.
func cloneBeforeNextUpdate(t *testing.T) (api.Namespace, *updateInterceptor, *string) {
	t.Helper()
	src, dst := clonePair(t, "acc-region")
	stoppedWithState(t, src.ID, "big", "vvr-8.0.9-flink-1.17", "16mb", "16kb")
	cloneID := new(string)
	proxy := newUpdateInterceptor(t, func(string) error {
		c, err := acctest.Client(t).CreateClone(context.Background(), api.CloneRequest{SourceNamespaceID: src.ID,
			TargetNamespaceID: dst.ID, Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful})
		*cloneID = c.ID
		return err
	})
	return dst, proxy, cloneID
}

// A configuration change in a namespace that a clone holds is refused with the locked diagnostic,
// naming the task; once the clone ended the same apply goes through.
func TestAccUpdateRefusedWhileACloneLocksTheNamespace(t *testing.T) {
	acctest.PreCheck(t)
	dst, proxy, cloneID := cloneBeforeNextUpdate(t)
	config := func(value string) string { return proxy.providerConfig() + variableConfig(dst.ID, "PLAIN", value) }
	var varID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkVariableDestroyed(),
		Steps: []resource.TestStep{
			{Config: config("1"), Check: acctest.IDFrom("flink_variable.test", &varID)},
			{
				PreConfig: proxy.arm,
				Config:    config("2"),
				ExpectError: regexp.MustCompile(`(?s)Updating flink_variable db_password failed.*Locked:.*Clone task\s+clone-[0-9a-f]+\s+holds` +
					`\s+this\s+namespace.*wait\s+for\s+it\s+to\s+finish`),
			},
			{
				PreConfig: func() {
					if _, err := acctest.Client(t).WaitForClone(acctest.Context(t), *cloneID, nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("2"),
				Check:  resource.TestCheckResourceAttr("flink_variable.test", "value", "2"),
			},
		},
	})
	proxy.expectOnce(t, varID)
}

// With lock_timeout, the same change waits for the clone instead: the refused update is sent again until
// the clone has ended, and the apply goes through without a second apply.
func TestAccLockTimeoutWaitsForTheClone(t *testing.T) {
	acctest.PreCheck(t)
	dst, proxy, cloneID := cloneBeforeNextUpdate(t)
	config := func(value string) string {
		return proxy.providerConfig("  lock_timeout = \"5m\"\n") + variableConfig(dst.ID, "PLAIN", value)
	}
	var varID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkVariableDestroyed(),
		Steps: []resource.TestStep{
			{Config: config("1"), Check: acctest.IDFrom("flink_variable.test", &varID)},
			{
				PreConfig: func() { proxy.puts.Store(0); proxy.arm() },
				Config:    config("2"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("flink_variable.test", "value", "2"),
					func(*terraform.State) error {
						if n := proxy.puts.Load(); n < 2 {
							return fmt.Errorf("the update was sent %d time(s): it should have been refused while the clone ran, then sent again", n)
						}
						c, err := acctest.Client(t).GetClone(acctest.Context(t), *cloneID)
						if err != nil {
							return err
						}
						if !client.CloneTerminal(c.Status) {
							return fmt.Errorf("the update went through while clone %s is %s: it should have waited for the clone's end", *cloneID, c.Status)
						}
						return nil
					},
				),
			},
		},
	})
	proxy.expectOnce(t, varID)
}

// With lock_timeout, a clone whose source namespace is in another running clone waits for that clone to
// end instead of failing with clone_running; without it, the clone fails at once and says what to set.
func TestAccLockTimeoutMakesACloneWaitForAnother(t *testing.T) {
	acctest.PreCheck(t)
	src, dst := clonePair(t, "acc-region")
	other := acctest.CreateNamespace(t, src.WorkspaceID)
	stoppedWithState(t, src.ID, "big", "vvr-8.0.9-flink-1.17", "16mb", "16kb")
	// Right before Terraform's clone reaches the engine, a stateful clone of seconds takes the source.
	var (
		armed    atomic.Bool
		posts    atomic.Int32
		mu       sync.Mutex // the proxy's goroutine writes first and firstErr
		first    api.Clone
		firstErr error
	)
	endpoint := newEngineProxy(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/clones" {
			if armed.CompareAndSwap(true, false) {
				mu.Lock()
				defer mu.Unlock() // until Terraform's request is answered
				first, firstErr = acctest.Client(t).CreateClone(context.Background(), api.CloneRequest{SourceNamespaceID: src.ID,
					TargetNamespaceID: other.ID, Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful})
			}
			posts.Add(1)
		}
		next.ServeHTTP(w, r)
	})
	config := func(settings string) string {
		return providerConfigAt(endpoint, settings) + statefulCloneConfig(src, dst, "")
	}
	waitForFirst := func() {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil {
			t.Fatalf("the other clone did not start: %v", firstErr)
		}
		if _, err := acctest.Client(t).WaitForClone(acctest.Context(t), first.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkCloneForgotten(api.CloneSucceeded, src, dst),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { armed.Store(true) },
				Config:      config(""),
				ExpectError: regexp.MustCompile(`(?s)Namespace in another clone:.*clone task clone-[0-9a-f]+.*Set\s+the\s+provider's\s+lock_timeout`),
			},
			{
				PreConfig: func() { waitForFirst(); posts.Store(0); armed.Store(true) },
				Config:    config("  lock_timeout = \"5m\"\n"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("flink_namespace_clone.c", "status", api.CloneSucceeded),
					func(s *terraform.State) error {
						if n := posts.Load(); n < 2 {
							return fmt.Errorf("the clone was sent %d time(s): it should have been refused while the other clone ran, then sent again", n)
						}
						waitForFirst()
						c := acctest.Client(t)
						ours, err := c.GetClone(acctest.Context(t), s.RootModule().Resources["flink_namespace_clone.c"].Primary.ID)
						if err != nil {
							return err
						}
						mu.Lock()
						firstID := first.ID
						mu.Unlock()
						theirs, err := c.GetClone(acctest.Context(t), firstID)
						if err != nil {
							return err
						}
						if theirs.Status != api.CloneSucceeded || theirs.FinishedAt == nil || ours.CreatedAt.Before(*theirs.FinishedAt) {
							return fmt.Errorf("the other clone (%s, finished %v) should have ended before ours was created (%s)",
								theirs.Status, theirs.FinishedAt, ours.CreatedAt)
						}
						return nil
					},
				),
			},
		},
	})
}

// A clone still running when its create timed out is recorded (not tainted: see
// TestAccNamespaceCloneTimeoutDoesNotCloneTwice), and destroy cancels it before forgetting the task,
// leaving both namespaces unlocked.
func TestAccNamespaceCloneDestroyedWhileRunning(t *testing.T) {
	acctest.PreCheck(t)
	src, dst := clonePair(t, "acc-region")
	// A running job whose savepoints wait an hour: a DO_NOT_SKIP clone snapshots it first, so the clone is
	// still running after the 1s timeout, the plan that follows the apply, and until destroy cancels it,
	// however fast the machine.
	startedDeployment(t, src.ID, "slow", api.DeploymentSpec{EngineVersion: "vvr-8.0.9-flink-1.17",
		FlinkConfiguration: map[string]string{"local.savepoint-delay": "1h"}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkCloneForgotten(api.CloneCancelled, src, dst),
		Steps: []resource.TestStep{{
			Config: statefulCloneConfig(src, dst, "  running_policy = \"DO_NOT_SKIP\"\n  timeouts {\n    create = \"1s\"\n  }"),
			Check:  resource.TestMatchResourceAttr("flink_namespace_clone.c", "status", regexp.MustCompile(`^(PENDING|RUNNING)$`)),
		}},
	})
}
