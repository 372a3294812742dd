package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// cloneFixtures: a clone-enabled workspace, namespaces src and dst, a running deployment "orders" and a
// variable "region" in src, and a deployment and a variable of the same names already in dst.
func cloneFixtures(wsName string) string {
	return cloneNamespaces(wsName) + `
resource "flink_variable" "src_region" {
  namespace_id = flink_namespace.src.id
  name         = "region"
  value        = "eu"
}
resource "flink_variable" "dst_region" {
  namespace_id = flink_namespace.dst.id
  name         = "region"
  value        = "us"
}
` + deploymentConfig("src_orders", "${flink_namespace.src.id}", "orders", "SELECT 1", "RUNNING", "") +
		deploymentConfig("dst_orders", "${flink_namespace.dst.id}", "orders", "SELECT 1", "STOPPED", "")
}

// cloneNamespaces is a clone-enabled workspace with the namespaces src and dst.
func cloneNamespaces(wsName string) string {
	return fmt.Sprintf(`
resource "flink_workspace" "w" {
  name          = %q
  region        = "acc-region"
  clone_enabled = true
}
resource "flink_namespace" "src" {
  workspace_id  = flink_workspace.w.id
  name          = "src"
  force_destroy = true
}
resource "flink_namespace" "dst" {
  workspace_id  = flink_workspace.w.id
  name          = "dst"
  force_destroy = true
}
`, wsName)
}

func cloneConfig(wsName string, deleteCreated bool) string {
	return cloneFixtures(wsName) + fmt.Sprintf(`
resource "flink_namespace_clone" "c" {
  source_namespace_id       = flink_namespace.src.id
  target_namespace_id       = flink_namespace.dst.id
  objects                   = ["deployments", "variables"]
  state_policy              = "STATEFUL"
  running_policy            = "DO_NOT_SKIP"
  delete_created_on_destroy = %t
  depends_on = [flink_deployment.src_orders, flink_deployment.dst_orders,
    flink_variable.src_region, flink_variable.dst_region]
}
data "flink_clone_renames" "c" {
  clone_id = flink_namespace_clone.c.id
}
`, deleteCreated) + cloneHistoryConfig
}

const cloneHistoryConfig = `
data "flink_clone_history" "dst" {
  namespace_id = flink_namespace.dst.id
  depends_on   = [flink_namespace_clone.c]
}
`

// The stateful-clone scenario: running job cloned with its state, names taken in the target renamed,
// both read back through flink_clone_history and flink_clone_renames.
func TestAccNamespaceCloneStatefulWithRenames(t *testing.T) {
	acctest.PreCheck(t)
	ws := acctest.RandomName("acc-clone")
	const addr = "flink_namespace_clone.c"
	var cloneID, dstID string
	renamed := func(kind string) map[string]string {
		return map[string]string{"kind": kind, "source_name": map[string]string{"variables": "region", "deployments": "orders"}[kind]}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cloneConfig(ws, false),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom(addr, &cloneID),
					acctest.IDFrom("flink_namespace.dst", &dstID),
					resource.TestCheckResourceAttr(addr, "status", api.CloneSucceeded),
					resource.TestCheckResourceAttr(addr, "total_count", "2"),
					resource.TestCheckResourceAttr(addr, "failed_count", "0"),
					resource.TestCheckResourceAttr(addr, "counts.deployments.done", "1"),
					resource.TestCheckResourceAttr(addr, "counts.variables.done", "1"),
					resource.TestCheckResourceAttr(addr, "renames.#", "2"),
					resource.TestCheckTypeSetElemNestedAttrs(addr, "renames.*", renamed("variables")),
					resource.TestCheckTypeSetElemNestedAttrs(addr, "renames.*", renamed("deployments")),
					resource.TestCheckResourceAttrSet(addr, "finished_at"),
					// Both data sources tell the same story.
					resource.TestCheckResourceAttr("data.flink_clone_renames.c", "renames.#", "2"),
					resource.TestCheckTypeSetElemNestedAttrs("data.flink_clone_renames.c", "renames.*", renamed("variables")),
					resource.TestCheckTypeSetElemNestedAttrs("data.flink_clone_renames.c", "renames.*", renamed("deployments")),
					resource.TestCheckResourceAttr("data.flink_clone_history.dst", "direction", "target"),
					resource.TestCheckResourceAttr("data.flink_clone_history.dst", "clones.#", "1"),
					resource.TestCheckResourceAttrPair("data.flink_clone_history.dst", "clones.0.id", addr, "id"),
					resource.TestCheckResourceAttr("data.flink_clone_history.dst", "clones.0.status", api.CloneSucceeded),
					resource.TestCheckResourceAttr("data.flink_clone_history.dst", "clones.0.total_count", "2"),
					func(*terraform.State) error { return checkStatefulCopy(t, cloneID) },
				),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			acctest.ImportBlockStep(addr),
			{
				// The only argument that changes in place.
				Config: cloneConfig(ws, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestCheckResourceAttr(addr, "delete_created_on_destroy", "true"),
			},
			{
				// Destroying the clone deletes what it created (delete_created_on_destroy) and its history stays.
				Config: cloneFixtures(ws) + `
data "flink_clone_history" "dst" {
  namespace_id = flink_namespace.dst.id
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.flink_clone_history.dst", "clones.#", "1"),
					func(*terraform.State) error {
						c, ctx := acctest.Client(t), acctest.Context(t)
						for _, kind := range []string{api.KindDeployment, api.KindVariable} {
							objs, err := c.ListObjects(ctx, dstID, kind, "")
							if err != nil {
								return err
							}
							if len(objs) != 1 {
								return fmt.Errorf("dst holds %d %s after the clone was destroyed, want only the 1 made by Terraform", len(objs), kind)
							}
						}
						return nil
					},
				),
			},
		},
	})
}

// checkStatefulCopy asserts the cloned deployment carries a copied snapshot as its restore point.
func checkStatefulCopy(t *testing.T, cloneID string) error {
	c, ctx := acctest.Client(t), acctest.Context(t)
	items, err := c.ListCloneItems(ctx, cloneID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind != api.KindDeployment {
			continue
		}
		if !it.Stateful || it.SnapshotID == "" {
			return fmt.Errorf("deployment %q was cloned without state (stateful %t, snapshot %q)", it.SourceName, it.Stateful, it.SnapshotID)
		}
		_, spec, err := c.GetDeployment(ctx, it.TargetID)
		if err != nil {
			return err
		}
		if spec.RestorePoint != it.SnapshotID {
			return fmt.Errorf("cloned deployment %s restores from %q, want the copied snapshot %s", it.TargetID, spec.RestorePoint, it.SnapshotID)
		}
		return nil
	}
	return fmt.Errorf("clone %s has no deployment item", cloneID)
}

// Plan-time validation needs no engine: a unit test (resource.UnitTest runs without TF_ACC, with the
// Terraform CLI of TF_ACC_TERRAFORM_PATH or the one on PATH).
func TestNamespaceClonePlanTimeErrors(t *testing.T) {
	t.Parallel()
	step := func(extra, want string) resource.TestStep {
		return resource.TestStep{PlanOnly: true, ExpectError: regexp.MustCompile(want), Config: `
resource "flink_namespace_clone" "c" {
  source_namespace_id = "ns-a"
  target_namespace_id = "ns-b"
` + extra + `
}`}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`objects = ["Deployments"]`, `(?s)Attribute objects\[Value\("Deployments"\)\] value must be one of`),
			step(`objects = ["queues"]`, `(?s)Attribute objects\[Value\("queues"\)\] value must be one of`),
			step("objects = [\"variables\"]\nstate_policy = \"FULL\"", `(?s)Attribute state_policy value must be one of`),
			step("objects = [\"deployments\"]\ndeployment_filter = { last_cloned_before = \"last week\" }",
				`(?s)deployment_filter.last_cloned_before: "last week" is not an RFC 3339\s+timestamp`),
		},
	})
}
