package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// The users of a file resource reference it by id: a JAR deployment, a UDF and a connector, one found
// through the data source. Deleting it while a deployment Terraform does not manage uses it is refused,
// naming that deployment; once the deployment goes, the delete passes.
func TestAccFileResourceUsersAndDeletionGuard(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	users := fmt.Sprintf(`
resource "flink_file_resource" "jar" {
  namespace_id = %[1]q
  name         = "udfs.jar"
  content      = "PK not really a jar"
}

data "flink_file_resource" "jar" {
  namespace_id = %[1]q
  name         = flink_file_resource.jar.name
}

resource "flink_udf" "lower" {
  namespace_id     = %[1]q
  name             = "lower"
  type             = "jar"
  functions        = ["lower2", "upper2"]
  file_resource_id = data.flink_file_resource.jar.id
}

resource "flink_connector" "mq" {
  namespace_id     = %[1]q
  name             = "mq"
  type             = "custom-mq"
  properties       = { "factory" = "com.example.MqFactory" }
  file_resource_id = flink_file_resource.jar.id
}

resource "flink_deployment" "etl" {
  namespace_id   = %[1]q
  name           = "etl"
  type           = "JAR"
  engine_version = "flink-1.20"
  jar = {
    uri         = flink_file_resource.jar.id
    entry_class = "com.example.Etl"
  }
}
`, ns.ID)
	// What stays when the file resource is removed from the configuration.
	anchor := fmt.Sprintf(`
resource "flink_format" "json" {
  namespace_id = %q
  name         = "json"
  type         = "json"
}
`, ns.ID)
	var fileID, outsideID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(checkObjectsDestroyed("flink_file_resource"),
			checkObjectsDestroyed("flink_udf"), checkObjectsDestroyed("flink_connector"), checkObjectsDestroyed("flink_format")),
		Steps: []resource.TestStep{
			{
				Config: users + anchor,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom("flink_file_resource.jar", &fileID),
					resource.TestCheckResourceAttrPair("data.flink_file_resource.jar", "id", "flink_file_resource.jar", "id"),
					resource.TestCheckResourceAttrPair("data.flink_file_resource.jar", "sha256", "flink_file_resource.jar", "sha256"),
					resource.TestCheckResourceAttrPair("flink_udf.lower", "file_resource_id", "flink_file_resource.jar", "id"),
					resource.TestCheckResourceAttrPair("flink_connector.mq", "file_resource_id", "flink_file_resource.jar", "id"),
					resource.TestCheckResourceAttrPair("flink_deployment.etl", "jar.uri", "flink_file_resource.jar", "id"),
					resource.TestCheckResourceAttr("flink_udf.lower", "functions.#", "2"),
				),
			},
			{
				// A deployment of another configuration starts using the file; Terraform destroys its own
				// users first, then the engine refuses the file resource and names the deployment.
				PreConfig: func() {
					dep, err := acctest.Client(t).CreateDeployment(acctest.Context(t), ns.ID, "outside", api.DeploymentSpec{
						Type: api.DeploymentJAR, EngineVersion: "flink-1.20", Jar: &api.JarSpec{URI: fileID}})
					if err != nil {
						t.Fatal(err)
					}
					outsideID = dep.ID
				},
				Config:      anchor,
				ExpectError: regexp.MustCompile(`(?s)Deleting flink_file_resource udfs.jar failed.*used by\s+deployment\s+"outside"`),
			},
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteObject(acctest.Context(t), outsideID); err != nil {
						t.Fatal(err)
					}
				},
				Config: anchor,
				Check: func(*terraformState) error {
					if _, err := acctest.Client(t).GetObject(acctest.Context(t), fileID); err == nil {
						return fmt.Errorf("file resource %s still exists once its last user is gone", fileID)
					}
					return nil
				},
			},
		},
	})
}

// A name that no file resource has is reported as such, with where to look.
func TestAccFileResourceDataSourceMissing(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("data \"flink_file_resource\" \"x\" {\n  namespace_id = %q\n  name = \"nope.jar\"\n}\n", ns.ID),
			ExpectError: regexp.MustCompile(`(?s)no file resource named\s+nope.jar`),
		}},
	})
}
