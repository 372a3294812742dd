package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// progressHold is a proxy in front of the engine that, once armed, never answers the next read of a
// clone (GET /api/v1/clones/{id}) until the caller gives up: to the provider's wait the clone does not
// end, so the wait runs out exactly as it does for a clone longer than timeouts.create. Every other
// request, and every later read, passes.
type progressHold struct {
	url     string
	holding atomic.Bool
	held    atomic.Int64
}

func newProgressHold(t *testing.T) *progressHold {
	t.Helper()
	h := &progressHold{}
	h.url = newEngineProxy(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rest, isClone := strings.CutPrefix(r.URL.Path, "/api/v1/clones/")
		if r.Method == http.MethodGet && isClone && rest != "" && !strings.Contains(rest, "/") && h.holding.CompareAndSwap(true, false) {
			h.held.Add(1)
			<-r.Context().Done()
			return
		}
		next.ServeHTTP(w, r)
	})
	return h
}

// variablesClone is flink_namespace_clone.c of cloneFixtures' src variables into dst, with extra arguments.
// It comes after every fixture: a running clone locks both namespaces, and a deployment still being made
// or started in either would be refused.
func variablesClone(extra string) string {
	return `
resource "flink_namespace_clone" "c" {
  source_namespace_id = flink_namespace.src.id
  target_namespace_id = flink_namespace.dst.id
  objects             = ["variables"]
  depends_on = [flink_deployment.src_orders, flink_deployment.dst_orders,
    flink_variable.src_region, flink_variable.dst_region]
` + extra + "}\n"
}

// A create that stops waiting for its clone (timeouts.create ran out; an interrupt takes the same path)
// leaves the clone in the state, not tainted: the next plan is empty and the engine holds one clone.
func TestAccNamespaceCloneTimeoutDoesNotCloneTwice(t *testing.T) {
	acctest.PreCheck(t)
	hold := newProgressHold(t)
	hold.holding.Store(true)
	ws := acctest.RandomName("acc-clone-timeout")
	const addr = "flink_namespace_clone.c"
	cfg := fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n}\n", hold.url) + cloneFixtures(ws) +
		variablesClone("  timeouts {\n    create = \"3s\"\n  }\n")
	var dstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Without the fix this step fails ("gave up waiting for clone ...") and taints the clone.
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_namespace.dst", &dstID),
					resource.TestMatchResourceAttr(addr, "status", regexp.MustCompile(`^(PENDING|RUNNING)$`)),
					func(*terraformState) error {
						if hold.held.Load() != 1 {
							return fmt.Errorf("the proxy held %d reads of the clone, want the wait's first one", hold.held.Load())
						}
						return nil
					},
				),
			},
			{
				// The clone went on; the next plan reads how it ended and plans no second clone.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "status", api.CloneSucceeded),
					func(*terraformState) error {
						clones, err := acctest.Client(t).ListClones(acctest.Context(t), client.CloneFilter{NamespaceID: dstID, Direction: client.DirectionTarget})
						if err != nil {
							return err
						}
						if len(clones) != 1 {
							return fmt.Errorf("the target namespace was cloned into %d times, want once", len(clones))
						}
						return nil
					},
				),
			},
		},
	})
}

// Importing a clone plans nothing, whatever form the request took: an empty catalog_mapping, an empty
// name list and a time written with an offset read back as written (a change would start a new clone).
func TestAccNamespaceCloneImportPlansNothing(t *testing.T) {
	acctest.PreCheck(t)
	ws := acctest.RandomName("acc-clone-import")
	cfg := cloneFixtures(ws) + `
resource "flink_namespace_clone" "c" {
  source_namespace_id = flink_namespace.src.id
  target_namespace_id = flink_namespace.dst.id
  objects             = ["deployments", "variables"]
  name_conflict       = "SKIP"
  catalog_mapping     = {}
  deployment_filter = {
    names              = []
    statuses           = ["RUNNING", "CANCELLED"]
    last_cloned_before = "2030-01-01T00:00:00+02:00"
  }
  depends_on = [flink_deployment.src_orders, flink_deployment.dst_orders,
    flink_variable.src_region, flink_variable.dst_region]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.TestCheckResourceAttr("flink_namespace_clone.c", "status", api.CloneSucceeded)},
			acctest.ImportBlockStep("flink_namespace_clone.c"),
		},
	})
}

// An apply that never learns the clone started (the engine made it, the answer was lost and the apply
// failed before saving state: as when the provider is killed then) is run again: the provider's client
// token brings back the clone the engine already has, and nothing is cloned twice. A later destroy
// releases the token, so the same configuration applied after it clones anew.
func TestAccNamespaceCloneLostAnswerDoesNotCloneTwice(t *testing.T) {
	acctest.PreCheck(t)
	var lose atomic.Bool
	lose.Store(true)
	proxy := newEngineProxy(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/clones" && lose.CompareAndSwap(true, false) {
			next.ServeHTTP(httptest.NewRecorder(), r) // the engine starts the clone; its answer goes nowhere
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
	ws := acctest.RandomName("acc-clone-lost")
	const addr = "flink_namespace_clone.c"
	fixtures := fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n}\n", proxy) + cloneFixtures(ws)
	cfg := fixtures + variablesClone("")
	var dstID, cloneID string
	targetClones := func(want int) resource.TestCheckFunc {
		return func(*terraformState) error {
			clones, err := acctest.Client(t).ListClones(acctest.Context(t), client.CloneFilter{NamespaceID: dstID, Direction: client.DirectionTarget})
			if err == nil && len(clones) != want {
				err = fmt.Errorf("the target namespace was cloned into %d times, want %d", len(clones), want)
			}
			return err
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ExpectError: regexp.MustCompile(`(?s)Cloning namespace.*500`)},
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_namespace.dst", &dstID),
					acctest.IDFrom(addr, &cloneID),
					resource.TestCheckResourceAttr(addr, "status", api.CloneSucceeded),
					resource.TestCheckNoResourceAttr(addr, "client_token"),
					targetClones(1),
				),
			},
			{Config: fixtures},
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					targetClones(2),
					func(s *terraformState) error {
						if s.RootModule().Resources[addr].Primary.ID == cloneID {
							return fmt.Errorf("after a destroy the same configuration got the old clone %s back", cloneID)
						}
						return nil
					},
				),
			},
		},
	})
}
