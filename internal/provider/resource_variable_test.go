package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func variableConfig(nsID, kind, value string) string {
	return fmt.Sprintf(`
resource "flink_variable" "test" {
  namespace_id = %q
  name         = "db_password"
  kind         = %q
  value        = %q
}
`, nsID, kind, value)
}

func checkVariableDestroyed() resource.TestCheckFunc {
	return acctest.CheckDestroyed("flink_variable", func(ctx context.Context, c *client.Client, id string) error {
		_, err := c.GetObject(ctx, id)
		return err
	})
}

func TestAccVariablePlain(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkVariableDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: variableConfig(ns.ID, "PLAIN", "one"),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_variable.test", &id),
					resource.TestCheckResourceAttr("flink_variable.test", "value", "one"),
					resource.TestCheckResourceAttr("flink_variable.test", "kind", "PLAIN"),
				),
			},
			{
				Config: variableConfig(ns.ID, "PLAIN", "two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.test", plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraformState) error {
					_, spec, err := acctest.Client(t).GetVariable(acctest.Context(t), id)
					if err != nil {
						return err
					}
					if spec.Value != "two" {
						return fmt.Errorf("engine holds %q after the update, want two", spec.Value)
					}
					return nil
				},
			},
			{
				ResourceName:      "flink_variable.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// A PLAIN value changed outside Terraform shows up as drift and is put back.
				PreConfig: func() {
					if _, err := acctest.Client(t).UpdateVariable(acctest.Context(t), id, "db_password",
						api.VariableSpec{Kind: api.VariablePlain, Value: "changed"}, 0); err != nil {
						t.Fatal(err)
					}
				},
				Config: variableConfig(ns.ID, "PLAIN", "two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.test", plancheck.ResourceActionUpdate),
				}},
			},
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteObject(acctest.Context(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: variableConfig(ns.ID, "PLAIN", "two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// An ENCRYPTED value never comes back from the engine: the configured one stays in state, without drift.
func TestAccVariableEncrypted(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkVariableDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: variableConfig(ns.ID, "ENCRYPTED", "s3cret"),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_variable.test", &id),
					resource.TestCheckResourceAttr("flink_variable.test", "value", "s3cret"),
					func(*terraformState) error {
						_, spec, err := acctest.Client(t).GetVariable(acctest.Context(t), id)
						if err != nil {
							return err
						}
						if spec.Value != "" {
							return fmt.Errorf("the engine returned an ENCRYPTED value")
						}
						return nil
					},
				),
			},
			{
				Config: variableConfig(ns.ID, "ENCRYPTED", "n3w"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.test", plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestCheckResourceAttr("flink_variable.test", "value", "n3w"),
			},
			{
				ResourceName:            "flink_variable.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"value"},
			},
			{
				// Changing the kind replaces the variable.
				Config: variableConfig(ns.ID, "PLAIN", "n3w"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// The version kept in private state guards updates: the engine refuses a stale one with 412, which the
// client reports as IsStale (the provider turns it into "changed outside Terraform, apply again").
func TestAccVariableStaleVersionIsRefused(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	c, ctx := acctest.Client(t), acctest.Context(t)
	obj, err := c.CreateVariable(ctx, ns.ID, "v", api.VariableSpec{Kind: api.VariablePlain, Value: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateVariable(ctx, obj.ID, "v", api.VariableSpec{Kind: api.VariablePlain, Value: "2"}, obj.Version); err != nil {
		t.Fatalf("update at the current version: %v", err)
	}
	_, err = c.UpdateVariable(ctx, obj.ID, "v", api.VariableSpec{Kind: api.VariablePlain, Value: "3"}, obj.Version)
	if !client.IsStale(err) {
		t.Fatalf("update at a stale version: want a 412 precondition_failed, got %v", err)
	}
}
