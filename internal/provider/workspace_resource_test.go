package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func checkWorkspaceDestroyed() resource.TestCheckFunc {
	return acctest.CheckDestroyed("flink_workspace", func(ctx context.Context, c *client.Client, id string) error {
		_, err := c.GetWorkspace(ctx, id)
		return err
	})
}

func TestAccWorkspace(t *testing.T) {
	name := acctest.RandomName("acc-ws")
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkWorkspaceDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: workspaceConfig("test", name),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_workspace.test", &id),
					resource.TestCheckResourceAttrSet("flink_workspace.test", "id"),
					resource.TestCheckResourceAttr("flink_workspace.test", "architecture", "x86_64"),
					resource.TestCheckResourceAttr("flink_workspace.test", "storage.type", "managed"),
					resource.TestCheckResourceAttr("flink_workspace.test", "storage.path_style", "false"),
					resource.TestCheckResourceAttr("flink_workspace.test", "clone_enabled", "false"),
					resource.TestCheckResourceAttrSet("flink_workspace.test", "owner"),
				),
			},
			{
				// In place: name and clone_enabled.
				Config: fmt.Sprintf(`
resource "flink_workspace" "test" {
  name          = "%s-renamed"
  region        = "acc-region"
  architecture  = "x86_64"
  storage       = { type = "managed" }
  clone_enabled = true
}
`, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_workspace.test", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_workspace.test", "name", name+"-renamed"),
					resource.TestCheckResourceAttr("flink_workspace.test", "clone_enabled", "true"),
					resource.TestCheckResourceAttrPtr("flink_workspace.test", "id", &id),
				),
			},
			{
				ResourceName:      "flink_workspace.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			acctest.ImportBlockStep("flink_workspace.test"),
			{
				// The architecture cannot change in place.
				Config: fmt.Sprintf(`
resource "flink_workspace" "test" {
  name          = "%s-renamed"
  region        = "acc-region"
  architecture  = "arm64"
  clone_enabled = true
}
`, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_workspace.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.TestCheckResourceAttr("flink_workspace.test", "architecture", "arm64"),
			},
			{
				// Deleted outside Terraform: the plan recreates it.
				PreConfig: func() {
					ws := acctest.Client(t)
					st, err := ws.ListWorkspaces(acctest.Context(t))
					if err != nil {
						t.Fatal(err)
					}
					for _, w := range st {
						if w.Name == name+"-renamed" {
							if err := ws.DeleteWorkspace(acctest.Context(t), w.ID); err != nil {
								t.Fatal(err)
							}
						}
					}
				},
				Config: fmt.Sprintf(`
resource "flink_workspace" "test" {
  name          = "%s-renamed"
  region        = "acc-region"
  architecture  = "arm64"
  clone_enabled = true
}
`, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_workspace.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// Plan-time validation needs no engine: a unit test (resource.UnitTest runs without TF_ACC, with the
// Terraform CLI of TF_ACC_TERRAFORM_PATH or the one on PATH).
func TestWorkspaceStorageValidation(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
resource "flink_workspace" "test" {
  name    = "bad"
  region  = "acc-region"
  storage = { type = "oss" }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)storage.type = "oss" needs the bucket`),
			},
			{
				// Without an endpoint the engine refused it at apply; now plan says so, at the attribute.
				Config: `
resource "flink_workspace" "test" {
  name    = "bad"
  region  = "acc-region"
  storage = { type = "oss", bucket = "b" }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)storage.endpoint.*storage.type = "oss" needs the S3 endpoint URL`),
			},
			{
				Config: `
resource "flink_workspace" "test" {
  name    = "bad"
  region  = "acc-region"
  storage = { type = "managed", bucket = "b" }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`storage.bucket only applies to storage.type = "oss"`),
			},
			{
				Config: `
resource "flink_workspace" "test" {
  name         = "bad"
  region       = "acc-region"
  architecture = "sparc"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)architecture.*x86_64.*arm64`),
			},
		},
	})
}

// Only the admin creates workspaces; it names their owner, who then manages clone_enabled (issue 11, item 2).
func TestAccWorkspaceOwnerIsNamedByTheAdmin(t *testing.T) {
	acctest.PreCheck(t)
	user := acctest.RandomName("owner")
	tok := acctest.CreateToken(t, user)
	name := acctest.RandomName("acc-ws-owner")
	owned := func(clone bool) string {
		return fmt.Sprintf(`
resource "flink_workspace" "owned" {
  name          = %q
  region        = "acc-region"
  owner         = %q
  clone_enabled = %t
}
`, name, user, clone)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkWorkspaceDestroyed(),
		Steps: []resource.TestStep{
			{
				Config: owned(false),
				Check:  resource.TestCheckResourceAttr("flink_workspace.owned", "owner", user),
			},
			{
				// The owner switches clone on with its own token.
				Config: acctest.ProviderConfig(tok.Secret) + owned(true),
				Check:  resource.TestCheckResourceAttr("flink_workspace.owned", "clone_enabled", "true"),
			},
			{
				// But creates no workspace of its own.
				Config: acctest.ProviderConfig(tok.Secret) + owned(true) + fmt.Sprintf(`
resource "flink_workspace" "mine" {
  name   = "%s-mine"
  region = "acc-region"
}
`, name),
				ExpectError: regexp.MustCompile(`(?s)Permission denied.*only\s+the\s+engine\s+admin\s+creates\s+a\s+workspace`),
			},
			{
				Config: owned(true),
			},
		},
	})
}
