package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// data.flink_deployment finds a deployment by name; data.flink_job_state_sets reads its state sets
// (the snapshot taken here, and the overview) at plan time of the next step.
func TestAccDeploymentAndStateSetsDataSources(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	base := deploymentConfig("d", ns.ID, "lookup", "SELECT 1", "RUNNING", "") + `
resource "flink_job_snapshot" "s" {
  deployment_id = flink_deployment.d.id
  description   = "for the data source test"
}
`
	reads := fmt.Sprintf(`
data "flink_deployment" "by_name" {
  namespace_id = %q
  name         = "lookup"
}
data "flink_job_state_sets" "sets" {
  deployment_id = data.flink_deployment.by_name.id
}
`, ns.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base},
			{
				Config: base + reads,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair("data.flink_deployment.by_name", "id", "flink_deployment.d", "id"),
					resource.TestCheckResourceAttr("data.flink_deployment.by_name", "status", api.JobRunning),
					resource.TestCheckResourceAttr("data.flink_job_state_sets.sets", "snapshots.#", "1"),
					resource.TestCheckResourceAttrPair("data.flink_job_state_sets.sets", "snapshots.0.id", "flink_job_snapshot.s", "id"),
					resource.TestCheckResourceAttr("data.flink_job_state_sets.sets", "snapshots.0.status", api.SnapshotCompleted),
					resource.TestCheckResourceAttrPair("data.flink_job_state_sets.sets", "overview.last_snapshot.id", "flink_job_snapshot.s", "id"),
				),
			},
			{
				Config: fmt.Sprintf(`
data "flink_deployment" "missing" {
  namespace_id = %q
  name         = "no-such-deployment"
}
`, ns.ID),
				ExpectError: regexp.MustCompile(`(?s)no-such-deployment`),
			},
		},
	})
}
