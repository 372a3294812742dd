package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
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
			acctest.ImportBlockStep(addr),
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
func waitAutoSnapshots(t *testing.T, c *client.Client, depID string, limit time.Duration, skip map[string]bool) []api.Snapshot {
	t.Helper()
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

// The schedule really fires on the wall clock: an every-minute cron (floored to 10 minutes, which the plan
// warns about) takes its first snapshot at the next whole minute, visible through flink_job_state_sets.
// A second scheduled fire comes 10 minutes later: TestAccSnapshotPolicyCleanupOnTheTestClock covers it in
// seconds; TestAccSnapshotPolicyCleanupOnTheWallClock runs cleanup on the wall clock.
func TestAccSnapshotPolicyScheduleFires(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	config := scheduledConfig(ns.ID)
	var depID string
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
				PreConfig: func() { waitAutoSnapshots(t, acctest.Client(t), depID, 3*time.Minute, nil) },
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
}

// scheduledConfig is a RUNNING deployment with an every-minute schedule, keep_count = 1 cleanup and the
// state-sets data source.
func scheduledConfig(nsID string) string {
	return policyConfig(nsID, "* * * * *", "UTC", `  cleanup = { keep_count = 1 }`) + `
data "flink_job_state_sets" "d" {
  deployment_id = flink_deployment.d.id
  depends_on    = [flink_snapshot_policy.p]
}
`
}

// autoSnapshotsInState lists the ids of the AUTO_TRIGGERED snapshots the data source shows.
func autoSnapshotsInState(s *terraform.State) []string {
	attrs := s.RootModule().Resources["data.flink_job_state_sets.d"].Primary.Attributes
	n, _ := strconv.Atoi(attrs["snapshots.#"])
	var ids []string
	for i := range n {
		if attrs[fmt.Sprintf("snapshots.%d.origin", i)] == api.OriginAutoTriggered {
			ids = append(ids, attrs[fmt.Sprintf("snapshots.%d.id", i)])
		}
	}
	return ids
}

// waitOnlyAuto waits until want is the deployment's only AUTO_TRIGGERED snapshot (cleanup deletes in the
// background).
func waitOnlyAuto(t *testing.T, c *client.Client, depID, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var got []string
	err := c.Poll(ctx, func(ctx context.Context) (bool, error) {
		snaps, err := c.ListSnapshots(ctx, client.SnapshotFilter{DeploymentID: depID, Origin: api.OriginAutoTriggered})
		got = got[:0]
		for _, s := range snaps {
			got = append(got, s.ID+" "+s.Status)
		}
		return err == nil && len(snaps) == 1 && snaps[0].ID == want, err
	})
	if err != nil {
		t.Fatalf("cleanup with keep_count = 1 should leave only %s, have %v: %v", want, got, err)
	}
}

// Scheduled fire and cleanup through Terraform in seconds: an engine of its own whose test clock the
// test moves forward. The first fire takes a snapshot; the second, 10 minutes later on the engine's
// clock, takes another, and keep_count = 1 deletes the first.
func TestAccSnapshotPolicyCleanupOnTheTestClock(t *testing.T) {
	acctest.PreCheck(t)
	eng := acctest.StartTestClockEngine(t)
	c, err := client.New(client.Config{Endpoint: eng.Endpoint, Token: eng.AdminToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := acctest.Context(t)
	ws, err := c.CreateWorkspace(ctx, api.WorkspaceInput{Name: "clock", Region: "acc-region", Architecture: api.ArchX86,
		Storage: api.Storage{Type: api.StorageManaged}})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := c.CreateNamespace(ctx, ws.ID, api.NamespaceInput{Name: "clock"})
	if err != nil {
		t.Fatal(err)
	}
	config := acctest.ProviderConfigFor(eng) + scheduledConfig(ns.ID)
	var depID string
	var first, second []api.Snapshot
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  acctest.IDFrom("flink_deployment.d", &depID),
			},
			{
				PreConfig: func() {
					eng.AdvanceClock(t, 2*time.Minute) // past the first whole minute: the first window is due
					first = waitAutoSnapshots(t, c, depID, time.Minute, nil)
					if len(first) != 1 {
						t.Fatalf("the first fire took %d snapshots, want 1", len(first))
					}
				},
				Config: config,
				Check: func(s *terraform.State) error {
					if got := autoSnapshotsInState(s); len(got) != 1 || got[0] != first[0].ID {
						return fmt.Errorf("after the first fire the data source shows automatic snapshots %v, want [%s]", got, first[0].ID)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					eng.AdvanceClock(t, 5*time.Minute) // inside the 10-minute floor: no fire
					// A context of its own: the test's was made before ParallelTest paused it, and may have expired.
					if snaps, err := autoSnapshots(acctest.Context(t), c, depID); err != nil || len(snaps) != 1 {
						t.Fatalf("5 minutes after a fire the floor allows none: %d snapshots (%v)", len(snaps), err)
					}
					eng.AdvanceClock(t, 6*time.Minute)
					second = waitAutoSnapshots(t, c, depID, time.Minute, map[string]bool{first[0].ID: true})
					waitOnlyAuto(t, c, depID, newest(second).ID)
				},
				Config: config,
				Check: func(s *terraform.State) error {
					if got := autoSnapshotsInState(s); len(got) != 1 || got[0] != newest(second).ID {
						return fmt.Errorf("after the second fire and cleanup the data source shows %v, want only %s (the first, %s, deleted)",
							got, newest(second).ID, first[0].ID)
					}
					return nil
				},
			},
		},
	})
}

func newest(snaps []api.Snapshot) api.Snapshot {
	n := snaps[0]
	for _, s := range snaps {
		if s.CreatedAt.After(n.CreatedAt) {
			n = s
		}
	}
	return n
}

// Cleanup on the wall clock, in a minute or two rather than the 11 two scheduled fires need (the 10-minute
// floor): the schedule's first real fire takes a snapshot, a DO_NOT_SKIP clone of the running job takes a
// second AUTO_TRIGGERED one, and its completion runs the real scheduler's cleanup, which with
// keep_count = 1 deletes the first. TestAccSnapshotPolicyCleanupOnTheTestClock covers two scheduled fires.
func TestAccSnapshotPolicyCleanupOnTheWallClock(t *testing.T) {
	acctest.PreCheck(t)
	src, dst := clonePair(t, "acc-region")
	config := scheduledConfig(src.ID)
	var depID string
	var first []api.Snapshot
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: acctest.IDFrom("flink_deployment.d", &depID)},
			{
				PreConfig: func() {
					c := acctest.Client(t)
					first = waitAutoSnapshots(t, c, depID, 3*time.Minute, nil)
					ctx := acctest.Context(t)
					clone, err := c.CreateClone(ctx, api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
						Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, RunningPolicy: api.RunningDoNotSkip})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := c.WaitForClone(ctx, clone.ID, nil); err != nil {
						t.Fatal(err)
					}
					after := waitAutoSnapshots(t, c, depID, time.Minute, map[string]bool{first[0].ID: true})
					waitOnlyAuto(t, c, depID, newest(after).ID)
				},
				Config: config,
				Check: func(s *terraform.State) error {
					if got := autoSnapshotsInState(s); len(got) != 1 || got[0] == first[0].ID {
						return fmt.Errorf("cleanup with keep_count = 1 should leave one newer automatic snapshot: %v (first %s)", got, first[0].ID)
					}
					return nil
				},
			},
		},
	})
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
