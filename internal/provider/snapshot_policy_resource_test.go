package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func policyConfig(nsID, cronExpr, zone, cleanup string) string {
	return deploymentConfig("d", nsID, "scheduled", "SELECT 1", "RUNNING", "") + fmt.Sprintf(`
resource "flink_snapshot_policy" "p" {
  deployment_id = flink_deployment.d.id
  schedule = {
    cron      = %q
    time_zone = %q
  }
%s
}
`, cronExpr, zone, cleanup)
}

func TestAccSnapshotPolicy(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_snapshot_policy.p"
	cleanup := `  cleanup = {
    keep_count = 3
    max_age    = "168h"
  }`
	var depID string
	action := func(a plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, a)}}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: acctest.CheckDestroyed("flink_snapshot_policy", func(ctx context.Context, c *client.Client, id string) error {
			_, err := c.GetSnapshotPolicy(ctx, id)
			return err
		}),
		Steps: []resource.TestStep{
			{
				// 03:00 in Berlin is 01:00 or 02:00 UTC, depending on DST.
				Config: policyConfig(ns.ID, "0 3 * * *", "Europe/Berlin", cleanup),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_deployment.d", &depID),
					resource.TestCheckResourceAttrPair(addr, "id", "flink_deployment.d", "id"),
					resource.TestCheckResourceAttr(addr, "schedule.enabled", "true"),
					resource.TestCheckResourceAttr(addr, "cleanup.enabled", "true"),
					resource.TestCheckResourceAttr(addr, "cleanup.max_age", "168h"),
					resource.TestCheckResourceAttr(addr, "next_fire_times.#", "5"),
					resource.TestMatchResourceAttr(addr, "next_fire_times.0", regexp.MustCompile(`T0[12]:00:00Z$`)),
				),
			},
			{
				Config:           policyConfig(ns.ID, "30 4 * * MON", "UTC", cleanup),
				ConfigPlanChecks: action(plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "schedule.cron", "30 4 * * MON"),
					resource.TestCheckResourceAttrWith(addr, "next_fire_times.0", func(v string) error {
						t, err := time.Parse(time.RFC3339, v)
						if err != nil || t.Weekday() != time.Monday || t.Hour() != 4 || t.Minute() != 30 {
							return fmt.Errorf("first fire %q is not a Monday 04:30 UTC", v)
						}
						return nil
					}),
				),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteSnapshotPolicy(acctest.Context(t), depID); err != nil {
						t.Fatal(err)
					}
				},
				Config:           policyConfig(ns.ID, "30 4 * * MON", "UTC", cleanup),
				ConfigPlanChecks: action(plancheck.ResourceActionCreate),
			},
		},
	})
}

// autoSnapshots lists the completed AUTO_TRIGGERED snapshots of a deployment.
func autoSnapshots(ctx context.Context, c *client.Client, depID string) ([]api.Snapshot, error) {
	return c.ListSnapshots(ctx, client.SnapshotFilter{DeploymentID: depID, Origin: api.OriginAutoTriggered,
		Status: api.SnapshotCompleted})
}

// waitAutoSnapshots waits until the deployment has a completed automatic snapshot other than those in skip.
func waitAutoSnapshots(t *testing.T, depID string, limit time.Duration, skip map[string]bool) []api.Snapshot {
	t.Helper()
	c := acctest.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var got []api.Snapshot
	err := c.Poll(ctx, func(ctx context.Context) (bool, error) {
		snaps, err := autoSnapshots(ctx, c, depID)
		got = snaps
		for _, s := range snaps {
			if !skip[s.ID] {
				return true, err
			}
		}
		return false, err
	})
	if err != nil {
		t.Fatalf("waiting for a new AUTO_TRIGGERED snapshot of %s (have %d): %v", depID, len(got), err)
	}
	return got
}

// The schedule really fires: an every-minute cron (floored to 10 minutes, which the plan warns about)
// takes its first snapshot at the next whole minute, visible through flink_job_state_sets. The engine
// floors fires at 10 minutes and has no faster clock, so the cleanup half (a second fire deleting the
// first with keep_count = 1) needs ~11 minutes and runs only with FLINK_ACC_SLOW=1.
func TestAccSnapshotPolicyScheduleAndCleanup(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	config := policyConfig(ns.ID, "* * * * *", "UTC", `  cleanup = { keep_count = 1 }`) + `
data "flink_job_state_sets" "d" {
  deployment_id = flink_deployment.d.id
  depends_on    = [flink_snapshot_policy.p]
}
`
	var depID string
	var first []api.Snapshot
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_deployment.d", &depID),
					// Fires are at least 10 minutes apart.
					func(s *terraform.State) error {
						p := s.RootModule().Resources["flink_snapshot_policy.p"].Primary.Attributes
						a, _ := time.Parse(time.RFC3339, p["next_fire_times.0"])
						b, _ := time.Parse(time.RFC3339, p["next_fire_times.1"])
						if b.Sub(a) != 10*time.Minute {
							return fmt.Errorf("next fires %s and %s are not 10 minutes apart", a, b)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() { first = waitAutoSnapshots(t, depID, 3*time.Minute, nil) },
				Config:    config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemNestedAttrs("data.flink_job_state_sets.d", "snapshots.*",
						map[string]string{"origin": api.OriginAutoTriggered, "status": api.SnapshotCompleted}),
					resource.TestCheckResourceAttrSet("data.flink_job_state_sets.d", "overview.last_snapshot.id"),
					resource.TestCheckResourceAttrSet("data.flink_job_state_sets.d", "overview.last_checkpoint.id"),
					resource.TestCheckResourceAttrWith("data.flink_job_state_sets.d", "checkpoints.#", positive),
				),
			},
		},
	})
	if os.Getenv("FLINK_ACC_SLOW") == "" {
		return
	}
	seen := map[string]bool{}
	for _, s := range first {
		seen[s.ID] = true
	}
	after := waitAutoSnapshots(t, depID, 13*time.Minute, seen)
	for _, s := range after {
		if seen[s.ID] {
			t.Errorf("cleanup with keep_count = 1 kept the older automatic snapshot %s next to a newer one", s.ID)
		}
	}
}

// Plan-time validation needs no engine: a unit test (resource.UnitTest runs without TF_ACC, with the
// Terraform CLI of TF_ACC_TERRAFORM_PATH or the one on PATH).
func TestSnapshotPolicyPlanTimeErrors(t *testing.T) {
	t.Parallel()
	step := func(cronExpr, zone, cleanup, want string) resource.TestStep {
		return resource.TestStep{Config: policyConfig("ns-unused", cronExpr, zone, cleanup), PlanOnly: true,
			ExpectError: regexp.MustCompile(want)}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("0 12 ? * *", "UTC", "", `(?s)Invalid cron expression.*schedule.cron:.*day-of-month field \("\?"\)`),
			step("61 * * * *", "UTC", "", `(?s)schedule.cron:.*the minute field \("61"\) is wrong: value "61"\s+out\s+of\s+range 0-59`),
			step("0 3 * * *", "Mars/Olympus", "", `(?s)schedule.time_zone: time zone "Mars/Olympus" is not a valid IANA`),
			step("0 3 * * *", "UTC", `  cleanup = { keep_count = 2, max_age = "a week" }`, `(?s)cleanup.max_age: "a week" is not a Go duration`),
			step("0 3 * * *", "UTC", `  cleanup = { keep_count = 0 }`, `(?s)Attribute cleanup.keep_count value must be at least 1`),
		},
	})
}
