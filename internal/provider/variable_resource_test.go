package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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
			acctest.ImportBlockStep("flink_variable.test"),
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
			// The engine never returns an ENCRYPTED value: the plan after the import sets it again.
			acctest.ImportBlockStepThenUpdate("flink_variable.test"),
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

// A change made between Terraform's refresh and its update is refused by the engine (412) and
// reported by the provider with what to do; the next apply converges.
func TestAccVariableStaleVersionIsRefused(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	// Just before Terraform's update reaches the engine, the variable changes behind its back.
	proxy := newUpdateInterceptor(t, func(id string) error {
		_, err := acctest.Client(t).UpdateVariable(context.Background(), id, "db_password",
			api.VariableSpec{Kind: api.VariablePlain, Value: "changed-outside"}, 0)
		return err
	})
	config := func(value string) string { return proxy.providerConfig() + variableConfig(ns.ID, "PLAIN", value) }
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkVariableDestroyed(),
		Steps: []resource.TestStep{
			{Config: config("1"), Check: acctest.IDFrom("flink_variable.test", &id)},
			{
				PreConfig:   func() { proxy.arm() },
				Config:      config("2"),
				ExpectError: regexp.MustCompile(`(?s)Updating flink_variable db_password failed.*changed outside Terraform.*apply\s+again`),
			},
			{
				Config: config("2"),
				Check: func(*terraform.State) error {
					obj, err := acctest.Client(t).GetObject(acctest.Context(t), id)
					if err != nil {
						return err
					}
					if !strings.Contains(string(obj.Spec), `"value":"2"`) {
						return fmt.Errorf("the apply after the refusal should set the value to 2: %s", obj.Spec)
					}
					return nil
				},
			},
		},
	})
	proxy.expectOnce(t, id)
}
