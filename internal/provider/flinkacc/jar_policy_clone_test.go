package flinkacc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// A JAR deployment runs a jar uploaded as a file resource of its namespace (made through the API here).
func TestAccFlinkJarDeployment(t *testing.T) {
	precheck(t)
	e := acctest.StartTestClockEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	jar, err := flinktest.TestJar(ctx, cluster.Version)
	if err != nil {
		t.Fatal(err)
	}
	jarBytes, err := os.ReadFile(jar)
	if err != nil {
		t.Fatal(err)
	}
	c := e.AdminClient(t)
	ws, err := c.CreateWorkspace(ctx, api.WorkspaceInput{Name: "jar", Region: "r1", Architecture: api.ArchX86,
		Storage: api.Storage{Type: api.StorageManaged},
		Runtime: api.Runtime{Type: api.RuntimeFlink, RESTURL: cluster.RESTURL, SQLGatewayURL: cluster.SQLGatewayURL}})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := c.CreateNamespace(ctx, ws.ID, api.NamespaceInput{Name: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := json.Marshal(api.FileResourceSpec{Content: jarBytes})
	file, err := c.CreateObject(ctx, ns.ID, api.KindFileResource, api.ObjectInput{Name: "testjob.jar", Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	config := acctest.ProviderConfigFor(e) + fmt.Sprintf(`
resource "flink_deployment" "jar" {
  namespace_id   = %q
  name           = "counting-jar"
  type           = "JAR"
  engine_version = %q
  jar = {
    uri         = %q
    entry_class = %q
    args        = ["--rate", "20"]
  }
  parallelism   = 1
  desired_state = "RUNNING"
}
`, ns.ID, engineVersion(), file.ID, flinktest.TestJarEntryClass)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("flink_deployment.jar", "status", api.JobRunning),
				resource.TestMatchResourceAttr("flink_deployment.jar", "flink_job_id", flinkJobID),
				resource.TestCheckResourceAttr("flink_deployment.jar", "parallelism", "1"),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}

// A snapshot policy's scheduled fire (the engine's clock moved past it) takes a real savepoint on Flink.
func TestAccFlinkSnapshotPolicyFiresARealSavepoint(t *testing.T) {
	e, base := setup(t)
	config := base + deployment("counts", "prod", "acc-policy", "RUNNING", "") + `
resource "flink_snapshot_policy" "counts" {
  deployment_id = flink_deployment.counts.id
  schedule = {
    enabled   = true
    cron      = "0 * * * *"
    time_zone = "UTC"
  }
}

data "flink_job_state_sets" "counts" {
  deployment_id = flink_deployment.counts.id
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  resource.TestCheckResourceAttr("data.flink_job_state_sets.counts", "snapshots.#", "0"),
			},
			{
				// An hour later the schedule has fired once; the savepoint completes on the cluster.
				PreConfig: func() {
					e.AdvanceClock(t, time.Hour)
					time.Sleep(5 * time.Second)
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.flink_job_state_sets.counts", "snapshots.#", "1"),
					resource.TestCheckResourceAttr("data.flink_job_state_sets.counts", "snapshots.0.origin", api.OriginAutoTriggered),
					resource.TestCheckResourceAttr("data.flink_job_state_sets.counts", "snapshots.0.status", api.SnapshotCompleted),
					resource.TestMatchResourceAttr("data.flink_job_state_sets.counts", "snapshots.0.location", savepointLocation),
					resource.TestCheckResourceAttrWith("data.flink_job_state_sets.counts", "snapshots.0.size_bytes", positive),
				),
			},
		},
	})
}

// A STATEFUL clone of a running Flink job copies a fresh savepoint; the copy's restore point is it.
func TestAccFlinkStatefulClone(t *testing.T) {
	_, base := setup(t)
	config := base + deployment("counts", "prod", "acc-clone", "RUNNING", "") + `
resource "flink_namespace_clone" "backup" {
  source_namespace_id = flink_namespace.prod.id
  target_namespace_id = flink_namespace.backup.id
  objects             = ["deployments"]
  state_policy        = "STATEFUL"
  running_policy      = "DO_NOT_SKIP"
  error_policy        = "STOP"
  depends_on          = [flink_deployment.counts]
}
`
	withCopy := config + `
data "flink_deployment" "copy" {
  namespace_id = flink_namespace.backup.id
  name         = "counts"
}

data "flink_job_state_sets" "copy" {
  deployment_id = data.flink_deployment.copy.id
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_namespace_clone.backup", "status", api.CloneSucceeded),
					resource.TestCheckResourceAttr("flink_namespace_clone.backup", "counts.deployments.done", "1"),
				),
			},
			{
				Config: withCopy,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair("data.flink_deployment.copy", "restore_point", "data.flink_job_state_sets.copy", "snapshots.0.id"),
					resource.TestCheckResourceAttr("data.flink_job_state_sets.copy", "snapshots.0.origin", api.OriginCopied),
					resource.TestMatchResourceAttr("data.flink_job_state_sets.copy", "snapshots.0.location", copiedLocation),
					resource.TestCheckResourceAttrWith("data.flink_job_state_sets.copy", "snapshots.0.size_bytes", positive),
				),
			},
		},
	})
}

var (
	savepointLocation = regexp.MustCompile(`^file:///.*/snapshots/snap-[0-9a-f]+/savepoint-`)
	copiedLocation    = regexp.MustCompile(`^file:///.*/snapshots/snap-[0-9a-f]+/?$`)
)
