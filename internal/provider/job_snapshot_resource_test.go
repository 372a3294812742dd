package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// snapshotRestoreConfig: deployment "source" runs; snapshot "x" of it (description desc) and snapshot
// "spare"; deployment "copy" starts from x.
func snapshotRestoreConfig(nsID, desc string) string {
	return deploymentConfig("source", nsID, "source", "SELECT 1", "RUNNING", "") + fmt.Sprintf(`
resource "flink_job_snapshot" "x" {
  deployment_id = flink_deployment.source.id
  description   = %q
}

resource "flink_job_snapshot" "spare" {
  deployment_id = flink_deployment.source.id
  format        = "NATIVE"
}
`, desc) + deploymentConfig("copy", nsID, "copy", "SELECT 1", "RUNNING", `
  restore = {
    kind        = "FROM_SAVEPOINT"
    snapshot_id = flink_job_snapshot.x.id
  }
`)
}

func checkSnapshotsDestroyed() resource.TestCheckFunc {
	return acctest.CheckDestroyed("flink_job_snapshot", func(ctx context.Context, c *client.Client, id string) error {
		_, err := c.GetSnapshot(ctx, id)
		return err
	})
}

// The restore scenario: a deployment starts from another deployment's snapshot.
func TestAccJobSnapshotRestoresAnotherDeployment(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	var snapID, spareID, copyID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(checkSnapshotsDestroyed(), checkDeploymentsDestroyed()),
		Steps: []resource.TestStep{
			{
				Config: snapshotRestoreConfig(ns.ID, "before the migration"),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_job_snapshot.x", &snapID),
					acctest.IDFrom("flink_job_snapshot.spare", &spareID),
					acctest.IDFrom("flink_deployment.copy", &copyID),
					resource.TestCheckResourceAttr("flink_job_snapshot.x", "status", api.SnapshotCompleted),
					resource.TestCheckResourceAttr("flink_job_snapshot.x", "origin", api.OriginUserRequest),
					resource.TestCheckResourceAttr("flink_job_snapshot.x", "format", api.FormatCanonical),
					resource.TestCheckResourceAttr("flink_job_snapshot.spare", "format", api.FormatNative),
					resource.TestCheckResourceAttrSet("flink_job_snapshot.x", "location"),
					resource.TestCheckResourceAttrSet("flink_job_snapshot.x", "completed_at"),
					resource.TestCheckResourceAttrWith("flink_job_snapshot.x", "size_bytes", positive),
					resource.TestCheckResourceAttr("flink_deployment.copy", "status", api.JobRunning),
					func(*terraform.State) error {
						job, err := acctest.Client(t).GetJob(acctest.Context(t), copyID)
						if err != nil {
							return err
						}
						if job.RestoredFrom != snapID || job.RestoreStrategy != api.RestoreFromSavepoint {
							return fmt.Errorf("copy's job restored from %q with %s, want %s with FROM_SAVEPOINT",
								job.RestoredFrom, job.RestoreStrategy, snapID)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      "flink_job_snapshot.x",
				ImportState:       true,
				ImportStateVerify: true,
			},
			acctest.ImportBlockStep("flink_job_snapshot.x"),
			{
				// A snapshot deleted outside Terraform leaves the state; the plan takes a new one.
				PreConfig: func() {
					c, ctx := acctest.Client(t), acctest.Context(t)
					if pending, err := c.DeleteSnapshot(ctx, spareID); err != nil {
						t.Fatal(err)
					} else if pending != nil {
						if err := c.WaitForSnapshotDeleted(ctx, spareID); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: snapshotRestoreConfig(ns.ID, "before the migration"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_job_snapshot.spare", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("flink_job_snapshot.x", plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

func positive(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a positive number, got %q", v)
	}
	return nil
}

// Every argument forces a new snapshot: a new description replaces it (the old one is deleted).
func TestAccJobSnapshotReplace(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	config := func(desc string) string {
		return deploymentConfig("d", ns.ID, "d", "SELECT 1", "RUNNING", "") + fmt.Sprintf(`
resource "flink_job_snapshot" "s" {
  deployment_id = flink_deployment.d.id
  description   = %q
}
`, desc)
	}
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsDestroyed(),
		Steps: []resource.TestStep{
			{Config: config("one"), Check: acctest.IDFrom("flink_job_snapshot.s", &first)},
			{
				Config: config("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_job_snapshot.s", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(*terraform.State) error {
					if _, err := acctest.Client(t).GetSnapshot(acctest.Context(t), first); !client.IsNotFound(err) {
						return fmt.Errorf("the replaced snapshot %s is still there (err %v)", first, err)
					}
					return nil
				},
			},
		},
	})
}

// A snapshot of a stopped job is refused with a diagnostic that says what to do.
func TestAccJobSnapshotNeedsRunningJob(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: deploymentConfig("d", ns.ID, "idle", "SELECT 1", "STOPPED", "") + `
resource "flink_job_snapshot" "s" {
  deployment_id = flink_deployment.d.id
}
`,
			ExpectError: regexp.MustCompile(`(?s)code job_not_running.*set\s+desired_state\s+=\s+"RUNNING"`),
		}},
	})
}

// Plan-time validation needs no engine: a unit test (resource.UnitTest runs without TF_ACC, with the
// Terraform CLI of TF_ACC_TERRAFORM_PATH or the one on PATH).
func TestJobSnapshotPlanTimeErrors(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
resource "flink_job_snapshot" "s" {
  deployment_id = "dep-unused"
  format        = "ZIP"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Attribute format value must be one of`),
		}},
	})
}
