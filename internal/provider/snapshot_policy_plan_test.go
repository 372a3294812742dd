package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// A cleanup-only change plans next_fire_times as it is (it showed as removed and "known after
// apply"); a schedule change leaves it to the engine.
func TestAccSnapshotPolicyQuietPlan(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_snapshot_policy.p"
	cleanup := func(keep int) string {
		return "  cleanup = {\n    keep_count = " + string(rune('0'+keep)) + "\n  }\n"
	}
	fires := tfjsonpath.New("next_fire_times")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: policyConfig(ns.ID, "0 3 * * *", "UTC", cleanup(3))},
			{
				Config: policyConfig(ns.ID, "0 3 * * *", "UTC", cleanup(5)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, fires, knownvalue.ListSizeExact(5)),
				}},
			},
			{
				Config: policyConfig(ns.ID, "0 4 * * *", "UTC", cleanup(5)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(addr, fires),
				}},
				Check: resource.TestMatchResourceAttr(addr, "next_fire_times.0", regexpT04),
			},
			acctest.ImportBlockStep(addr),
		},
	})
}

var regexpT04 = regexp.MustCompile(`T04:00:00Z$`)
