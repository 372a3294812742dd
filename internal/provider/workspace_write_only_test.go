package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// The bucket secret given write-only reaches the engine (has_secret) and never the state; a new
// storage_secret_access_key_wo_version sends it again.
func TestAccWorkspaceWriteOnlyStorageSecret(t *testing.T) {
	acctest.PreCheck(t)
	name := acctest.RandomName("acc-ws-wo")
	cfg := func(secret string, version int) string {
		return fmt.Sprintf(`
resource "flink_workspace" "wo" {
  name   = %q
  region = "acc-region"
  storage = {
    type          = "oss"
    endpoint      = "https://oss-cn-hangzhou.aliyuncs.com"
    bucket        = "wo-bucket"
    access_key_id = "AKIDEXAMPLE"
  }
  storage_secret_access_key_wo         = %q
  storage_secret_access_key_wo_version = %d
}
`, name, secret, version)
	}
	var id string
	var versions []int64
	engine := func(*terraformState) error {
		ws, err := acctest.Client(t).GetWorkspace(acctest.Context(t), id)
		if err != nil {
			return err
		}
		if !ws.Storage.HasSecret {
			return fmt.Errorf("the engine holds no storage secret: the write-only value did not reach it")
		}
		versions = append(versions, ws.Version)
		return nil
	}
	noSecret := func(s *terraformState) error {
		for k, v := range s.RootModule().Resources["flink_workspace.wo"].Primary.Attributes {
			if strings.Contains(v, "wo-secret") {
				return fmt.Errorf("the state holds the write-only secret in %s", k)
			}
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             checkWorkspaceDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: cfg("wo-secret-1", 1),
				Check: resource.ComposeAggregateTestCheckFunc(acctest.IDFrom("flink_workspace.wo", &id), noSecret, engine,
					resource.TestCheckNoResourceAttr("flink_workspace.wo", "storage.secret_access_key")),
			},
			{
				Config: cfg("wo-secret-2", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_workspace.wo", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(noSecret, engine, func(*terraformState) error {
					if len(versions) != 2 || versions[1] <= versions[0] {
						return fmt.Errorf("workspace versions %v: the new version did not send the secret", versions)
					}
					return nil
				}),
			},
		},
	})
}

// Plan-time rules of the write-only storage secret.
func TestWorkspaceWriteOnlyPlanTimeErrors(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: `
resource "flink_workspace" "w" {
  name                         = "w"
  region                       = "r"
  storage_secret_access_key_wo = "x"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)storage_secret_access_key_wo only applies to storage.type = "oss"`),
		}},
	})
}
