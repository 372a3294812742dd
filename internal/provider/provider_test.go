package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// workspaceConfig is a managed-storage workspace named name, addressed flink_workspace.<label>.
func workspaceConfig(label, name string) string {
	return fmt.Sprintf(`
resource "flink_workspace" %q {
  name   = %q
  region = "acc-region"
}
`, label, name)
}

// workspaceAndNamespaceConfig adds a namespace flink_namespace.test to workspaceConfig("test", ...).
func workspaceAndNamespaceConfig(wsName, nsName string) string {
	return workspaceConfig("test", wsName) + fmt.Sprintf(`
resource "flink_namespace" "test" {
  workspace_id = flink_workspace.test.id
  name         = %q
}
`, nsName)
}

func TestAccProviderUnreachableEndpoint(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "flink" {
  endpoint    = "http://127.0.0.1:1"
  max_retries = 0
}
` + workspaceConfig("test", "never"),
			ExpectError: regexp.MustCompile(`(?s)Cannot reach flink-engine.*FLINK_ENDPOINT`),
		}},
	})
}

func TestAccProviderRejectedToken(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig("not-a-token") + workspaceConfig("test", "never"),
			ExpectError: regexp.MustCompile(`(?s)rejected the API token.*FLINK_TOKEN`),
		}},
	})
}

// A Viewer may read a namespace but not change it: the refusal must say why and what to do.
func TestAccViewerTokenIsRefused(t *testing.T) {
	acctest.PreCheck(t)
	ws := acctest.CreateWorkspace(t)
	ns := acctest.CreateNamespace(t, ws.ID)
	viewer := acctest.CreateViewer(t, ns.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Reading works with the Viewer role.
				Config: acctest.ProviderConfig(viewer.Secret) + fmt.Sprintf(`
data "flink_namespace" "ns" {
  workspace_id = %q
  name         = %q
}
`, ws.ID, ns.Name),
				Check: resource.TestCheckResourceAttr("data.flink_namespace.ns", "id", ns.ID),
			},
			{
				Config: acctest.ProviderConfig(viewer.Secret) + fmt.Sprintf(`
resource "flink_variable" "v" {
  namespace_id = %q
  name         = "from_viewer"
  value        = "x"
}
`, ns.ID),
				ExpectError: regexp.MustCompile(`(?s)Permission denied.*EDITOR`),
			},
		},
	})
	objs, err := acctest.Client(t).ListObjects(acctest.Context(t), ns.ID, api.KindVariable, "from_viewer")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Fatalf("the refused Viewer still created %d variables", len(objs))
	}
}

// terraformState shortens check function signatures.
type terraformState = terraform.State
