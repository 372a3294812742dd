// Package flinkacc_test runs the provider's acceptance tests on a real Apache Flink session cluster:
// each test gets an engine of its own (with the test clock, so scheduled snapshots fire in seconds) and
// a workspace whose runtime is the package's cluster.
package flinkacc_test

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

var cluster *flinktest.Cluster

func TestMain(m *testing.M) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		os.Exit(m.Run()) // acceptance tests skip themselves; no cluster needed
	}
	flinktest.Main(m, flinktest.Options{}, func(c *flinktest.Cluster) { cluster = c })
}

// setup starts an engine for the test and returns it with the HCL of a provider pointed at it, a flink
// workspace on the package's cluster and a namespace "prod" (and "backup").
func setup(t *testing.T) (*acctest.Engine, string) {
	t.Helper()
	precheck(t)
	e := acctest.StartTestClockEngine(t)
	return e, acctest.ProviderConfigFor(e) + fmt.Sprintf(`
resource "flink_workspace" "ws" {
  name          = "flink"
  region        = "r1"
  clone_enabled = true
  runtime = {
    type            = "flink"
    rest_url        = %q
    sql_gateway_url = %q
  }
}

resource "flink_namespace" "prod" {
  workspace_id = flink_workspace.ws.id
  name         = "prod"
}

resource "flink_namespace" "backup" {
  workspace_id  = flink_workspace.ws.id
  name          = "backup"
  force_destroy = true
}
`, cluster.RESTURL, cluster.SQLGatewayURL)
}

func engineVersion() string {
	parts := strings.SplitN(cluster.Version, ".", 3)
	return "flink-" + parts[0] + "." + parts[1]
}

// countingSQL is a datagen sequence counted per key into a print sink: keyed state Flink checkpoints.
func countingSQL(tag string) string {
	return fmt.Sprintf(`CREATE TEMPORARY TABLE src (seq BIGINT) WITH ('connector' = 'datagen', 'fields.seq.kind' = 'sequence', 'fields.seq.start' = '1', 'fields.seq.end' = '100000', 'rows-per-second' = '20');
CREATE TEMPORARY TABLE counted (k BIGINT, c BIGINT) WITH ('connector' = 'print', 'print-identifier' = '%s');
INSERT INTO counted SELECT seq %% 4, COUNT(*) FROM src GROUP BY seq %% 4;`, tag)
}

// deployment is a flink_deployment of the counting job in namespace ns with extra attributes.
func deployment(name, ns, tag, desired, extra string) string {
	return fmt.Sprintf(`
resource "flink_deployment" %[1]q {
  namespace_id   = flink_namespace.%[2]s.id
  name           = %[1]q
  engine_version = %[3]q
  sql            = %[4]q
  checkpoint = {
    interval = "1s"
    retained = 2
  }
  desired_state = %[5]q
%[6]s
}
`, name, ns, engineVersion(), countingSQL(tag), desired, extra)
}

// precheck skips without TF_ACC, as resource.Test does, except under CI, where the Flink acceptance
// tests must run; the tests bring their own engine, so the shared one acctest.PreCheck expects is not
// needed.
func precheck(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		enginetest.SkipOutsideCI(t, "acceptance test: set %s=1 to run it on a real Flink cluster", resource.EnvTfAcc)
	}
}

var flinkJobID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func positive(v string) error {
	if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
		return fmt.Errorf("want a positive number, got %q", v)
	}
	return nil
}
