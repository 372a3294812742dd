package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// A token made in this run cannot configure an aliased provider at plan time: the error names the
// two-step way out. (The second step itself cannot run here: the test harness serves both provider
// configurations from one in-process server, so the last Configure would win for both.)
func TestAccTokenForAnAliasedProvider(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	user := acctest.RandomName("ci")
	token := fmt.Sprintf(`
resource "flink_api_token" "ci" {
  user = %q
}
resource "flink_namespace_member" "ci" {
  namespace_id = %q
  user         = flink_api_token.ci.user
  role         = "EDITOR"
}
`, user, ns.ID)
	use := fmt.Sprintf(`
provider "flink" {
  alias = "ci"
  token = flink_api_token.ci.token
}
resource "flink_variable" "by_ci" {
  provider     = flink.ci
  namespace_id = %q
  name         = "made_by_ci"
  value        = "x"
  depends_on   = [flink_namespace_member.ci]
}
`, ns.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: token + use, ExpectError: regexp.MustCompile(`(?s)Provider configuration not known yet.*-target=flink_api_token`)},
		},
	})
}
