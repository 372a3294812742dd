package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

func memberConfig(wsName, nsName, user, role string) string {
	return workspaceAndNamespaceConfig(wsName, nsName) + fmt.Sprintf(`
resource "flink_api_token" "member" {
  user = %q
}

resource "flink_namespace_member" "test" {
  namespace_id = flink_namespace.test.id
  user         = flink_api_token.member.user
  role         = %q
}
`, user, role)
}

func TestAccNamespaceMember(t *testing.T) {
	wsName, nsName, user := acctest.RandomName("acc-ws"), acctest.RandomName("acc-ns"), acctest.RandomName("alice")
	var nsID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: memberConfig(wsName, nsName, user, "VIEWER"),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_namespace.test", &nsID),
					resource.TestCheckResourceAttr("flink_namespace_member.test", "role", "VIEWER"),
					resource.TestCheckResourceAttr("flink_namespace_member.test", "user", user),
					func(s *terraformState) error {
						return resource.TestCheckResourceAttr("flink_namespace_member.test", "id", nsID+"/"+user)(s)
					},
				),
			},
			{
				Config: memberConfig(wsName, nsName, user, "EDITOR"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_namespace_member.test", plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraformState) error {
					m, err := acctest.Client(t).GetMember(acctest.Context(t), nsID, user)
					if err != nil {
						return err
					}
					if m.Role != "EDITOR" {
						return fmt.Errorf("engine has role %s after the update, want EDITOR", m.Role)
					}
					return nil
				},
			},
			{
				ResourceName:      "flink_namespace_member.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			acctest.ImportBlockStep("flink_namespace_member.test"),
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteMember(acctest.Context(t), nsID, user); err != nil {
						t.Fatal(err)
					}
				},
				Config: memberConfig(wsName, nsName, user, "EDITOR"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("flink_namespace_member.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}
