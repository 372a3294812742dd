package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestAccFormat(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	config := func(typ, extra string) string {
		return fmt.Sprintf("resource \"flink_format\" \"test\" {\n  namespace_id = %q\n  name = \"events\"\n  type = %q\n%s}\n", ns.ID, typ, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_format"),
		Steps: objectSteps(t, "flink_format.test",
			config("json", ""),
			config("avro", "  properties = { \"schema-registry.url\" = \"http://registry:8081\" }\n"),
			api.GenericSpec{Type: "json"},
			api.GenericSpec{Type: "avro", Properties: map[string]string{"schema-registry.url": "http://registry:8081"}},
			specIs(t, "flink_format.test")),
	})
}
