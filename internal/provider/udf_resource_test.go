package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestAccUDF(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	jar, err := acctest.Client(t).UploadFileResourceContent(acctest.Context(t), ns.ID, "udfs.jar", []byte("PK"))
	if err != nil {
		t.Fatal(err)
	}
	config := func(functions string) string {
		return fmt.Sprintf(`
resource "flink_udf" "test" {
  namespace_id     = %q
  name             = "strings"
  type             = "jar"
  file_resource_id = %q
  functions        = %s
}
`, ns.ID, jar.ID, functions)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_udf"),
		Steps: objectSteps(t, "flink_udf.test",
			config(`["lower2"]`),
			// An empty list stays an empty list after apply and import.
			config(`[]`),
			api.GenericSpec{Type: "jar", Functions: []string{"lower2"}, FileResourceID: jar.ID},
			api.GenericSpec{Type: "jar", FileResourceID: jar.ID},
			specIs(t, "flink_udf.test")),
	})
}
