package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// -generate-config-out writes `value = null # sensitive` for a variable of either kind; that
// configuration must plan nothing (it failed validation while value was Required).
func TestAccVariableGeneratedConfigPlansNothing(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{Config: fmt.Sprintf(`
resource "flink_variable" "plain" {
  namespace_id = %[1]q
  name         = "region"
  value        = "eu"
}
resource "flink_variable" "secret" {
  namespace_id = %[1]q
  name         = "password"
  kind         = "ENCRYPTED"
  value        = "s3cret"
}
`, ns.ID)},
			{ResourceName: "flink_variable.plain", ImportState: true, ImportStateKind: resource.ImportBlockWithID, GenerateConfig: true},
			{ResourceName: "flink_variable.secret", ImportState: true, ImportStateKind: resource.ImportBlockWithID, GenerateConfig: true},
		},
	})
}

// Plan-time rules of the value arguments: no variable is created.
func TestAccVariableValuePlanTimeErrors(t *testing.T) {
	t.Parallel()
	cfg := func(body string) string {
		return "resource \"flink_variable\" \"v\" {\n  namespace_id = \"ns-x\"\n  name = \"v\"\n" + body + "\n}\n"
	}
	// The check runs in ModifyPlan, after the provider is configured: it needs the acceptance engine.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(""), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Missing value.*set value \(or\s+value_wo`)},
			{Config: cfg(`value_wo_version = 1`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)value_wo_version.*"value_wo" must be specified`)},
		},
	})
}

// A write-only ENCRYPTED value reaches the engine and never the state; a new value_wo_version sends it again.
func TestAccVariableWriteOnlyValue(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	cfg := func(secret string, version int) string {
		return fmt.Sprintf(`
resource "flink_variable" "wo" {
  namespace_id     = %q
  name             = "token"
  kind             = "ENCRYPTED"
  value_wo         = %q
  value_wo_version = %d
}
`, ns.ID, secret, version)
	}
	var id string
	var versions []int64
	engineVersion := func(*terraformState) error {
		obj, err := acctest.Client(t).GetObject(acctest.Context(t), id)
		versions = append(versions, obj.Version)
		return err
	}
	noSecretInState := func(secrets ...string) resource.TestCheckFunc {
		return func(s *terraformState) error {
			for k, v := range s.RootModule().Resources["flink_variable.wo"].Primary.Attributes {
				for _, secret := range secrets {
					if strings.Contains(v, secret) {
						return fmt.Errorf("the state holds the write-only secret in %s", k)
					}
				}
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg("first-secret", 1),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_variable.wo", &id),
					resource.TestCheckNoResourceAttr("flink_variable.wo", "value"),
					resource.TestCheckNoResourceAttr("flink_variable.wo", "value_wo"),
					resource.TestCheckResourceAttr("flink_variable.wo", "value_wo_version", "1"),
					noSecretInState("first-secret"),
					engineVersion,
				),
			},
			{
				// A new secret with the same version: Terraform cannot see it, so nothing is planned.
				Config:           cfg("second-secret", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: cfg("second-secret", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.wo", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(noSecretInState("first-secret", "second-secret"), engineVersion,
					func(*terraformState) error {
						if len(versions) != 2 || versions[1] <= versions[0] {
							return fmt.Errorf("engine versions %v: the new value_wo_version did not update the variable", versions)
						}
						return nil
					}),
			},
			{
				// An import cannot know the version (it is not the engine's): the plan after it sends the
				// write-only value once more, in place, and replaces nothing.
				ResourceName: "flink_variable.wo", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_variable.wo", plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}
