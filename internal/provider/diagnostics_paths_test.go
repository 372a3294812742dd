package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// Errors name the attribute and the fix: a timeout that ran out names its timeouts key, a start refused
// for its snapshot points at restore.snapshot_id, a data source lookup says whether the workspace or the
// namespace is missing.
func TestAccDiagnosticsNameTheAttribute(t *testing.T) {
	acctest.PreCheck(t)
	ws := acctest.CreateWorkspace(t)
	ns := acctest.CreateNamespace(t, ws.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      deploymentConfig("t", ns.ID, "hurried", "SELECT 1", "RUNNING", "  timeouts {\n    create = \"1ns\"\n  }"),
				ExpectError: regexp.MustCompile(`(?s)timeouts.create ran out.*timeouts \{ create = "30m" \}`),
			},
			{
				Config: deploymentConfig("r", ns.ID, "restored", "SELECT 1", "RUNNING",
					`  restore = { kind = "FROM_SAVEPOINT", snapshot_id = "snap-0000000000000000dead" }`),
				ExpectError: regexp.MustCompile(`(?s)the start refused restore\.snapshot_id.*Point\s+restore\.snapshot_id`),
			},
			{
				Config: `
data "flink_namespace" "n" {
  workspace_id = "ws-0000000000000000dead"
  name         = "anything"
}
`,
				ExpectError: regexp.MustCompile(`(?s)There is no workspace\s+with id ws-0000000000000000dead.*workspace_id`),
			},
			{
				Config: fmt.Sprintf(`
data "flink_namespace" "n" {
  workspace_id = %q
  name         = "no-such-namespace"
}
`, ws.ID),
				ExpectError: regexp.MustCompile(`(?s)There is no namespace named no-such-namespace`),
			},
		},
	})
}
