package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestAccConnector(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	jar, err := acctest.Client(t).UploadFileResourceContent(acctest.Context(t), ns.ID, "mq.jar", []byte("PK"))
	if err != nil {
		t.Fatal(err)
	}
	config := func(extra string) string {
		return fmt.Sprintf("resource \"flink_connector\" \"test\" {\n  namespace_id = %q\n  name = \"mq\"\n  type = \"custom-mq\"\n%s}\n", ns.ID, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_connector"),
		Steps: objectSteps(t, "flink_connector.test",
			config(""),
			config(fmt.Sprintf("  file_resource_id = %q\n  properties = { factory = \"com.example.Mq\" }\n", jar.ID)),
			api.GenericSpec{Type: "custom-mq"},
			api.GenericSpec{Type: "custom-mq", Properties: map[string]string{"factory": "com.example.Mq"}, FileResourceID: jar.ID},
			specIs(t, "flink_connector.test")),
	})
}

// A file_resource_id that is not a file resource of the namespace is refused, naming the attribute.
func TestAccConnectorUnknownFileResource(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("resource \"flink_connector\" \"test\" {\n  namespace_id = %q\n  name = \"mq\"\n  type = \"x\"\n  file_resource_id = \"file-nope\"\n}\n", ns.ID),
			ExpectError: regexp.MustCompile(`(?s)spec.file_resource_id:\s+"file-nope"\s+is\s+not\s+the\s+id\s+of\s+a\s+file\s+resource`),
		}},
	})
}
