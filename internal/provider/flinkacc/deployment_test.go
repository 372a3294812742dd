package flinkacc_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// A SQL deployment runs on Flink with a job snapshot (a real savepoint); the state sets list Flink's
// checkpoints; stopped (cancelled: Flink retains its checkpoints) and started again from a retained
// checkpoint named by the state sets, it runs again.
func TestAccFlinkSQLDeploymentSnapshotStateSetsAndRestore(t *testing.T) {
	e, base := setup(t)
	engine := e.AdminClient(t)
	running := base + deployment("counts", "prod", "acc-sql", "RUNNING", "") + `
resource "flink_job_snapshot" "x" {
  deployment_id = flink_deployment.counts.id
  format        = "NATIVE"
}

data "flink_job_state_sets" "counts" {
  deployment_id = flink_deployment.counts.id
}
`
	stopped := base + deployment("counts", "prod", "acc-sql", "STOPPED", "") + `
resource "flink_job_snapshot" "x" {
  deployment_id = flink_deployment.counts.id
  format        = "NATIVE"
}

data "flink_job_state_sets" "counts" {
  deployment_id = flink_deployment.counts.id
}
`
	// The state sets are found through the deployment's name: referring to the resource itself from its
	// own restore would be a cycle. The newest completed checkpoint of the stopped job is pinned in a
	// terraform_data the first time it is read: once the restarted job checkpoints, the newest names
	// another, and an unpinned restore would restart the job on every later plan.
	fromCheckpoint := base + deployment("counts", "prod", "acc-sql", "RUNNING", `
  restore = {
    kind          = "FROM_CHECKPOINT"
    checkpoint_id = terraform_data.restore_point.output
  }`) + `
resource "flink_job_snapshot" "x" {
  deployment_id = flink_deployment.counts.id
  format        = "NATIVE"
}

resource "terraform_data" "restore_point" {
  input = [for c in data.flink_job_state_sets.by_name.checkpoints : c.id if c.status == "COMPLETED"][0]
  lifecycle {
    ignore_changes = [input]
  }
}

data "flink_deployment" "counts" {
  namespace_id = flink_namespace.prod.id
  name         = "counts"
}

data "flink_job_state_sets" "by_name" {
  deployment_id = data.flink_deployment.counts.id
}
`
	var depID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: running,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_deployment.counts", &depID),
					resource.TestCheckResourceAttr("flink_workspace.ws", "flink_version", cluster.Version),
					resource.TestCheckResourceAttr("flink_deployment.counts", "status", api.JobRunning),
					resource.TestMatchResourceAttr("flink_deployment.counts", "flink_job_id", flinkJobID),
					resource.TestCheckResourceAttr("flink_job_snapshot.x", "status", api.SnapshotCompleted),
					resource.TestMatchResourceAttr("flink_job_snapshot.x", "location", regexp.MustCompile(`^file:///.*/savepoint-`)),
					resource.TestCheckResourceAttrWith("flink_job_snapshot.x", "size_bytes", positive),
				),
			},
			{
				// Re-read once Flink has completed a checkpoint (how soon depends on the machine's load):
				// the state sets list Flink's checkpoints.
				PreConfig: func() {
					var last []api.Checkpoint
					enginetest.Until(t, 90*time.Second, func() string { return fmt.Sprintf("a completed checkpoint of %s, have %+v", depID, last) },
						func() bool {
							last, _ = engine.ListCheckpoints(acctest.Context(t), depID)
							// The data source lists them as the engine does: the first is the one the step checks.
							if len(last) > 0 && last[0].Status == api.CheckpointCompleted && last[0].FullSizeByte > 0 {
								return true
							}
							time.Sleep(200 * time.Millisecond)
							return false
						})
				},
				Config: running,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrWith("data.flink_job_state_sets.counts", "checkpoints.#", positive),
					resource.TestCheckResourceAttrWith("data.flink_job_state_sets.counts", "checkpoints.0.full_size_bytes", positive),
				),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: stopped,
				Check:  resource.TestCheckResourceAttr("flink_deployment.counts", "status", api.JobCancelled),
			},
			{
				// Flink keeps only some checkpoints of a cancelled job; the engine forgets the others
				// within seconds of the stop, so the state sets name one that exists.
				PreConfig: func() { time.Sleep(6 * time.Second) },
				Config:    fromCheckpoint,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_deployment.counts", "status", api.JobRunning),
					resource.TestMatchResourceAttr("flink_deployment.counts", "flink_job_id", flinkJobID),
					resource.TestCheckResourceAttrSet("flink_deployment.counts", "restore.checkpoint_id"),
				),
			},
			{
				// The restarted job has checkpointed since: the restore still names the same checkpoint,
				// so the plan is empty instead of restarting the job.
				PreConfig:        func() { time.Sleep(3 * time.Second) },
				Config:           fromCheckpoint,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            "flink_deployment.counts",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"restore", "stop_strategy", "timeouts"},
			},
		},
	})
}
