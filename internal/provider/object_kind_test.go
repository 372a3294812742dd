package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// Importing a deployment's id as a flink_variable must fail at plan time, naming the kind and the
// resource to use, and never plan the replacement whose delete would remove the deployment.
func TestAccImportObjectOfAnotherKindFails(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	deployment := deploymentConfig("d", ns.ID, "orders", "SELECT 1", "STOPPED", "") + fmt.Sprintf(`
resource "flink_variable" "w" {
  namespace_id = %q
  name         = "region"
  value        = "eu"
}
`, ns.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: deployment},
			{
				Config: deployment + fmt.Sprintf(`
import {
  to = flink_variable.v
  id = flink_deployment.d.id
}
resource "flink_variable" "v" {
  namespace_id = %q
  name         = "orders"
  value        = "x"
}
`, ns.ID),
				ExpectError: regexp.MustCompile(`(?s)Wrong kind of object for flink_variable.*one of the namespace's\s+deployments.*flink_deployment`),
			},
			{
				// The deployment is untouched: the same configuration plans nothing.
				Config: deployment,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// And the other way round: a deployment resource refuses a variable's id.
				Config: deployment + `
import {
  to = flink_deployment.other
  id = flink_variable.w.id
}
` + deploymentConfig("other", ns.ID, "other", "SELECT 1", "STOPPED", ""),
				ExpectError: regexp.MustCompile(`(?s)Wrong kind of object for flink_deployment.*variables`),
			},
		},
	})
}
