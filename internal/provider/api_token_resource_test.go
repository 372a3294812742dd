package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func tokenConfig(user, description string) string {
	return fmt.Sprintf(`
resource "flink_api_token" "test" {
  user        = %q
  description = %q
}
`, user, description)
}

// tokenWorksAs checks that the secret in state authenticates as user.
func tokenWorksAs(t *testing.T, user string) resource.TestCheckFunc {
	return func(s *terraformState) error {
		secret := s.RootModule().Resources["flink_api_token.test"].Primary.Attributes["token"]
		who, err := acctest.ClientWithToken(t, secret).WhoAmI(context.Background())
		if err != nil {
			return fmt.Errorf("the token in state does not work: %w", err)
		}
		if who.User != user || who.Admin {
			return fmt.Errorf("the token authenticates as %+v, want non-admin user %s", who, user)
		}
		return nil
	}
}

func TestAccAPIToken(t *testing.T) {
	user := acctest.RandomName("bob")
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: acctest.CheckDestroyed("flink_api_token", func(ctx context.Context, c *client.Client, id string) error {
			_, err := c.GetToken(ctx, id)
			return err
		}),
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(user, "ci"),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_api_token.test", &id),
					resource.TestCheckResourceAttr("flink_api_token.test", "user", user),
					resource.TestCheckResourceAttrSet("flink_api_token.test", "token"),
					resource.TestCheckResourceAttrSet("flink_api_token.test", "created_at"),
					tokenWorksAs(t, user),
				),
			},
			{
				// No update: a new description is a new token.
				Config: tokenConfig(user, "ci, rotated"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_api_token.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_api_token.test", &id),
					tokenWorksAs(t, user),
				),
			},
			{
				ResourceName:            "flink_api_token.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
			},
			acctest.ImportBlockStep("flink_api_token.test"),
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteToken(acctest.Context(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: tokenConfig(user, "ci, rotated"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_api_token.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}
