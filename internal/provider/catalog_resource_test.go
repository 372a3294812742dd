package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestAccCatalog(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	config := func(props string) string {
		return fmt.Sprintf(`
resource "flink_catalog" "test" {
  namespace_id = %q
  name         = "lake"
  type         = "paimon"
  properties   = %s
}
`, ns.ID, props)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_catalog"),
		Steps: objectSteps(t, "flink_catalog.test",
			config(`{ warehouse = "s3://lake/wh" }`),
			// An empty map stays an empty map (the engine drops it): no diff after apply or import.
			config(`{}`),
			api.GenericSpec{Type: "paimon", Properties: map[string]string{"warehouse": "s3://lake/wh"}},
			api.GenericSpec{Type: "paimon"},
			specIs(t, "flink_catalog.test")),
	})
}
