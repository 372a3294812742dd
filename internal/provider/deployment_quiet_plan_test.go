package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// An update that cannot move status or version plans them as they are, not "(known after apply)".
func TestAccDeploymentQuietPlan(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_deployment.q"
	known := func(attr string, v knownvalue.Check) plancheck.PlanCheck {
		return plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: deploymentConfig("q", ns.ID, "quiet", "SELECT 1", "RUNNING", "")},
			{
				// Only how the job is stopped changes: nothing on the engine moves.
				Config: deploymentConfig("q", ns.ID, "quiet", "SELECT 1", "RUNNING", `  stop_strategy = "STOP_WITH_DRAIN"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					known("status", knownvalue.StringExact(api.JobRunning)),
					known("version", knownvalue.Int64Exact(1)),
				}},
			},
			{
				// New SQL moves the version, not the running job's status.
				Config: deploymentConfig("q", ns.ID, "quiet", "SELECT 2", "RUNNING", `  stop_strategy = "STOP_WITH_DRAIN"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					known("status", knownvalue.StringExact(api.JobRunning)),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("version")),
				}},
				Check: resource.TestCheckResourceAttr(addr, "version", "2"),
			},
		},
	})
}

// A BATCH job that FINISHED did what desired_state = "RUNNING" asked: the next plan leaves it alone
// (before, every apply started it again).
func TestAccDeploymentBatchFinishedIsNotRestarted(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_deployment.b"
	cfg := deploymentConfig("b", ns.ID, "nightly", "SELECT 1", "RUNNING", `  execution_mode = "BATCH"`)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.IDFrom(addr, &id)},
			{
				// The job runs to its end (the local runtime ends a job as FINISHED when drained).
				PreConfig: func() {
					c, ctx := acctest.Client(t), acctest.Context(t)
					if _, err := c.StopDeployment(ctx, id, api.StopRequest{Strategy: api.StopWithDrain}); err != nil {
						t.Fatal(err)
					}
					if _, err := c.WaitForJobStatus(ctx, id, api.JobFinished); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "status", api.JobFinished),
					resource.TestCheckResourceAttr(addr, "desired_state", "RUNNING"),
				),
			},
		},
	})
}

// An empty flink_configuration reads back as {} after an import, not null (which planned a change).
func TestAccDeploymentImportKeepsEmptyConfiguration(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: `
resource "flink_deployment" "e" {
  namespace_id        = "` + ns.ID + `"
  name                = "empty-config"
  engine_version      = "vvr-8.0.9-flink-1.17"
  sql                 = "SELECT 1"
  flink_configuration = {}
}
`},
			acctest.ImportBlockStep("flink_deployment.e"),
		},
	})
}

// Durations read back as they were written ("90s", not "1m30s"; "90m", not "1h30m"), so an import of a
// deployment and of its snapshot policy plans nothing.
func TestAccImportReadsDurationsAsWritten(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: `
resource "flink_deployment" "d" {
  namespace_id   = "` + ns.ID + `"
  name           = "durations"
  engine_version = "vvr-8.0.9-flink-1.17"
  sql            = "SELECT 1"
  checkpoint = {
    interval = "90s"
    timeout  = "600s"
  }
}

resource "flink_snapshot_policy" "p" {
  deployment_id = flink_deployment.d.id
  schedule = {
    cron      = "0 3 * * *"
    time_zone = "UTC"
  }
  cleanup = {
    keep_count = 3
    max_age    = "90m"
  }
}
`},
			acctest.ImportBlockStep("flink_deployment.d"),
			acctest.ImportBlockStep("flink_snapshot_policy.p"),
		},
	})
}
