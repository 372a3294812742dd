package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// deploymentConfig is a small, fast streaming SQL deployment flink_deployment.<label> on the local runtime
// (frequent checkpoints, little state); extra goes inside the block.
func deploymentConfig(label, nsID, name, sql, desired, extra string) string {
	return fmt.Sprintf(`
resource "flink_deployment" %q {
  namespace_id   = %q
  name           = %q
  engine_version = "vvr-8.0.9-flink-1.17"
  sql            = %q
  desired_state  = %q
  flink_configuration = {
    "local.state-bytes"        = "64kb"
    "local.records-per-second" = "10000"
  }
  checkpoint = {
    interval = "100ms"
  }
%s
}
`, label, nsID, name, sql, desired, extra)
}

const restoreDropping = `  restore = { kind = "LATEST_STATE", allow_non_restored_state = true }
`

func checkDeploymentsDestroyed() resource.TestCheckFunc {
	return acctest.CheckDestroyed("flink_deployment", func(ctx context.Context, c *client.Client, id string) error {
		_, err := c.GetObject(ctx, id)
		return err
	})
}

func TestAccDeployment(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_deployment.test"
	var id string
	update := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDeploymentsDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: deploymentConfig("test", ns.ID, "orders", "SELECT 1", "STOPPED", ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom(addr, &id),
					resource.TestCheckResourceAttr(addr, "status", api.StatusCreated),
					resource.TestCheckNoResourceAttr(addr, "job_id"),
					resource.TestCheckResourceAttr(addr, "type", "SQL"),
					resource.TestCheckResourceAttr(addr, "execution_mode", "STREAMING"),
					resource.TestCheckResourceAttr(addr, "checkpoint.interval", "100ms"),
					resource.TestCheckResourceAttr(addr, "checkpoint.retained", "1"),
					resource.TestCheckResourceAttr(addr, "version", "1"),
				),
			},
			{
				// Starting is an in-place change that waits for RUNNING.
				Config:           deploymentConfig("test", ns.ID, "orders", "SELECT 1", "RUNNING", ""),
				ConfigPlanChecks: update(plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "status", api.JobRunning),
					resource.TestCheckResourceAttrSet(addr, "job_id"),
					resource.TestCheckResourceAttr(addr, "version", "1"),
				),
			},
			{
				// New SQL updates the deployment in place; the running job keeps running.
				Config:           deploymentConfig("test", ns.ID, "orders", "SELECT 2", "RUNNING", ""),
				ConfigPlanChecks: update(plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "status", api.JobRunning),
					resource.TestCheckResourceAttr(addr, "version", "2"),
					func(*terraform.State) error {
						_, spec, err := acctest.Client(t).GetDeployment(acctest.Context(t), id)
						if err != nil {
							return err
						}
						if spec.SQL != "SELECT 2" {
							return fmt.Errorf("engine holds sql %q, want SELECT 2", spec.SQL)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			acctest.ImportBlockStep(addr),
			{
				// A job stopped outside Terraform reads back as STOPPED: the plan starts it again.
				PreConfig: func() {
					c, ctx := acctest.Client(t), acctest.Context(t)
					if _, err := c.StopDeployment(ctx, id, api.StopRequest{}); err != nil {
						t.Fatal(err)
					}
					if _, err := c.WaitForJobStatus(ctx, id, api.JobCancelled); err != nil {
						t.Fatal(err)
					}
				},
				// The SQL changed since the state was written: the restart must drop what does not map.
				Config:           deploymentConfig("test", ns.ID, "orders", "SELECT 2", "RUNNING", restoreDropping),
				ConfigPlanChecks: update(plancheck.ResourceActionUpdate),
				Check:            resource.TestCheckResourceAttr(addr, "status", api.JobRunning),
			},
			{
				Config: deploymentConfig("test", ns.ID, "orders", "SELECT 2", "STOPPED",
					restoreDropping+`  stop_strategy = "STOP_WITH_SAVEPOINT"`),
				ConfigPlanChecks: update(plancheck.ResourceActionUpdate),
				Check:            resource.TestCheckResourceAttr(addr, "status", api.JobCancelled),
			},
			{
				// Deleted outside Terraform: the refresh drops it and the plan creates it again.
				PreConfig: func() {
					if err := acctest.Client(t).DeleteObject(acctest.Context(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: deploymentConfig("test", ns.ID, "orders", "SELECT 2", "STOPPED",
					restoreDropping+`  stop_strategy = "STOP_WITH_SAVEPOINT"`),
				ConfigPlanChecks: update(plancheck.ResourceActionCreate),
			},
		},
	})
}

// Plan-time validation needs no engine: a unit test (resource.UnitTest runs without TF_ACC, with the
// Terraform CLI of TF_ACC_TERRAFORM_PATH or the one on PATH).
func TestDeploymentPlanTimeErrors(t *testing.T) {
	t.Parallel()
	step := func(extra, want string) resource.TestStep {
		return resource.TestStep{
			Config:      deploymentConfig("bad", "ns-unused", "bad", "SELECT 1", "STOPPED", extra),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`  stop_strategy = "STOP_NOW"`, `(?s)Attribute stop_strategy value must be one of`),
			step(`  restore = { kind = "FROM_SAVEPOINT" }`, `(?s)Missing restore.snapshot_id.*FROM_SAVEPOINT`),
			step(`  jar = { uri = "s3://bucket/job.jar" }`, `(?s)jar not allowed with type = "SQL"`),
			{
				Config: `
resource "flink_deployment" "bad" {
  namespace_id   = "ns-unused"
  name           = "bad"
  engine_version = "vvr-8.0.9-flink-1.17"
  sql            = "SELECT 1"
  checkpoint     = { interval = "often" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)checkpoint.interval: "often" is not a Go duration`),
			},
		},
	})
}
