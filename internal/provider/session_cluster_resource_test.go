package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// desired_state moves the cluster between STOPPED and RUNNING, and status follows.
func TestAccSessionCluster(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_session_cluster.test"
	config := func(state string) string {
		return fmt.Sprintf(`
resource "flink_session_cluster" "test" {
  namespace_id        = %q
  name                = "shared"
  engine_version      = "flink-1.20"
  desired_state       = %q
  flink_configuration = { "taskmanager.numberOfTaskSlots" = "4" }
}
`, ns.ID, state)
	}
	conf := map[string]string{"taskmanager.numberOfTaskSlots": "4"}
	steps := objectSteps(t, addr, config("STOPPED"), config("RUNNING"),
		api.SessionClusterSpec{EngineVersion: "flink-1.20", State: "STOPPED", FlinkConfiguration: conf},
		api.SessionClusterSpec{EngineVersion: "flink-1.20", State: "RUNNING", FlinkConfiguration: conf},
		specIs(t, addr))
	steps[0].Check = resource.ComposeAggregateTestCheckFunc(steps[0].Check, resource.TestCheckResourceAttr(addr, "status", "STOPPED"))
	steps[1].Check = resource.ComposeAggregateTestCheckFunc(steps[1].Check, resource.TestCheckResourceAttr(addr, "status", "RUNNING"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_session_cluster"),
		Steps:                    steps,
	})
}
