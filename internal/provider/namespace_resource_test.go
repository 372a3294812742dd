package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func checkNamespaceDestroyed() resource.TestCheckFunc {
	return acctest.CheckDestroyed("flink_namespace", func(ctx context.Context, c *client.Client, id string) error {
		_, err := c.GetNamespace(ctx, id)
		return err
	})
}

func TestAccNamespace(t *testing.T) {
	wsName, nsName := acctest.RandomName("acc-ws"), acctest.RandomName("acc-ns")
	var id string
	config := workspaceAndNamespaceConfig(wsName, nsName)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNamespaceDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: config + `
data "flink_namespace" "by_name" {
  workspace_id = flink_workspace.test.id
  name         = flink_namespace.test.name
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_namespace.test", &id),
					resource.TestCheckResourceAttr("flink_namespace.test", "name", nsName),
					resource.TestCheckResourceAttr("flink_namespace.test", "force_destroy", "false"),
					resource.TestCheckResourceAttrPair("flink_namespace.test", "workspace_id", "flink_workspace.test", "id"),
					resource.TestCheckResourceAttrPair("data.flink_namespace.by_name", "id", "flink_namespace.test", "id"),
					resource.TestCheckResourceAttr("data.flink_namespace.by_name", "locked_by", ""),
				),
			},
			{
				// force_destroy changes in place, without touching the engine's namespace.
				Config: workspaceConfig("test", wsName) + fmt.Sprintf(`
resource "flink_namespace" "test" {
  workspace_id  = flink_workspace.test.id
  name          = %q
  force_destroy = true
}
`, nsName),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_namespace.test", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_namespace.test", "force_destroy", "true"),
					resource.TestCheckResourceAttrPtr("flink_namespace.test", "id", &id),
				),
			},
			{
				ResourceName:            "flink_namespace.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"force_destroy"},
			},
			// force_destroy lives in the state only: the import reads false, and the plan sets it back.
			acctest.ImportBlockStepThenUpdate("flink_namespace.test"),
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteNamespace(acctest.Context(t), id, false); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_namespace.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccNamespaceDataSourceUnknownName(t *testing.T) {
	ws := func() string { acctest.PreCheck(t); return acctest.CreateWorkspace(t).ID }()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "flink_namespace" "missing" {
  workspace_id = %q
  name         = "no-such-namespace"
}
`, ws),
			ExpectError: regexp.MustCompile(`no namespace named no-such-namespace`),
		}},
	})
}

// A namespace holding objects Terraform does not manage is only destroyed with force_destroy, and the
// refusal lists what is inside.
func TestAccNamespaceForceDestroy(t *testing.T) {
	wsName, nsName := acctest.RandomName("acc-ws"), acctest.RandomName("acc-ns")
	var nsID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNamespaceDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: workspaceAndNamespaceConfig(wsName, nsName),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_namespace.test", &nsID),
					func(*terraformState) error {
						// An object made behind Terraform's back, as a clone would.
						_, err := acctest.Client(t).CreateVariable(context.Background(), nsID, "unmanaged",
							api.VariableSpec{Kind: api.VariablePlain, Value: "v"})
						return err
					},
				),
			},
			{
				Config:      workspaceConfig("test", wsName),
				ExpectError: regexp.MustCompile(`(?s)still holds 1 variables.*force_destroy = true`),
			},
			{
				Config: workspaceConfig("test", wsName) + fmt.Sprintf(`
resource "flink_namespace" "test" {
  workspace_id  = flink_workspace.test.id
  name          = %q
  force_destroy = true
}
`, nsName),
			},
			{
				Config: workspaceConfig("test", wsName),
				Check: func(*terraformState) error {
					_, err := acctest.Client(t).GetNamespace(context.Background(), nsID)
					if !client.IsNotFound(err) {
						return fmt.Errorf("namespace %s not deleted by force_destroy: %v", nsID, err)
					}
					return nil
				},
			},
		},
	})
}
