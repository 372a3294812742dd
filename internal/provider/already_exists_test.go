package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// A second flink_snapshot_policy on a deployment, or a membership that exists already, fails to create
// and says to import it: the engine's PUT would have taken it over, and the two would fight on every plan.
func TestAccCreateRefusesToTakeOver(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	user := acctest.RandomName("bob")
	acctest.AddMember(t, ns.ID, user, api.RoleViewer)
	policy := policyConfig(ns.ID, "0 3 * * *", "UTC", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: policy},
			{
				Config: policy + `
resource "flink_snapshot_policy" "second" {
  deployment_id = flink_deployment.d.id
  cleanup = {
    keep_count = 1
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)flink_snapshot_policy already exists: import it.*already has a\s+snapshot\s+policy.*import \{`),
			},
			{
				// The first policy is untouched: its schedule is still the one configured.
				Config:           policy,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: policy + fmt.Sprintf(`
resource "flink_namespace_member" "bob" {
  namespace_id = %q
  user         = %q
  role         = "EDITOR"
}
`, ns.ID, user),
				ExpectError: regexp.MustCompile(`(?s)flink_namespace_member already exists: import it.*already has the\s+role\s+VIEWER`),
			},
		},
	})
	m, err := acctest.Client(t).GetMember(acctest.Context(t), ns.ID, user)
	if err != nil || m.Role != api.RoleViewer {
		t.Fatalf("the refused create changed the membership: %+v, %v", m, err)
	}
}
