package provider_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// readExamples is the configuration of examples/<dirs...> for a test.
func readExamples(t *testing.T, dirs ...string) string {
	t.Helper()
	// import-by-string-id.tf shows an import block with a made-up id: docs only.
	return acctest.ExampleConfig(t, dirs, "import-by-string-id.tf")
}

// TestAccExamplesApply applies every resource, data source and function example together (they refer
// to each other as the docs show them), with the two namespaces the clone example copies between.
// An example that does not apply is a bug in the docs.
func TestAccExamplesApply(t *testing.T) {
	const fixtures = `
resource "flink_namespace" "prod" {
  workspace_id = flink_workspace.example.id
  name         = "clone-source"
}

resource "flink_namespace" "backup" {
  workspace_id  = flink_workspace.example.id
  name          = "clone-backup"
  force_destroy = true
}
`
	// examples/provider names a fixed endpoint; the test engine listens elsewhere.
	cfg := readExamples(t, "resources", "data-sources", "functions") + fixtures
	// The file resource example uploads a JAR built next to the configuration: one is made here.
	jar := filepath.Join(t.TempDir(), "udfs.jar")
	if err := os.WriteFile(jar, []byte("PK example jar"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg = strings.ReplaceAll(cfg, "${path.module}/build/udfs.jar", jar)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// The function example needs Terraform 1.8.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigVariables: config.Variables{
				"oss_access_key_id":     config.StringVariable("AKIDEXAMPLE"),
				"oss_secret_access_key": config.StringVariable("example-secret"),
				"kafka_password":        config.StringVariable("example-password"),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("flink_job_snapshot.before_upgrade", "status", "COMPLETED"),
				resource.TestCheckResourceAttr("flink_deployment.orders_v2", "status", "RUNNING"),
				resource.TestCheckResourceAttr("flink_namespace_clone.backup", "status", "SUCCEEDED"),
				resource.TestCheckResourceAttrPair("data.flink_deployment.orders", "id", "flink_deployment.orders", "id"),
				resource.TestCheckResourceAttrPair("data.flink_namespace.example", "id", "flink_namespace.example", "id"),
				resource.TestCheckResourceAttr("data.flink_clone_history.backup", "clones.#", "1"),
				resource.TestCheckResourceAttr("flink_snapshot_policy.orders", "next_fire_times.#", "5"),
				resource.TestCheckResourceAttrPair("flink_deployment.enrich", "jar.uri", "flink_file_resource.udfs", "id"),
				resource.TestCheckResourceAttrPair("data.flink_file_resource.udfs", "sha256", "flink_file_resource.udfs", "sha256"),
				resource.TestCheckResourceAttrPair("data.flink_catalog.lake", "id", "flink_catalog.lake", "id"),
				resource.TestCheckResourceAttr("flink_session_cluster.shared", "status", "RUNNING"),
			),
		}},
	})
}

// TestAccQuickstartApplies applies examples/quickstart, the configuration `make demo` shows.
func TestAccQuickstartApplies(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: readExamples(t, "quickstart"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("clone_status", "SUCCEEDED"),
				resource.TestCheckResourceAttr("data.flink_clone_renames.backup", "renames.#", "1"),
				resource.TestCheckResourceAttr("data.flink_clone_renames.backup", "renames.0.source_name", "kafka-brokers"),
				resource.TestCheckResourceAttr("data.flink_deployment.payments_copy", "status", "STOPPED"),
				resource.TestCheckResourceAttrSet("data.flink_deployment.payments_copy", "restore_point"),
			),
		}},
	})
}
