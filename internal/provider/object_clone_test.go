package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// One object of every kind these resources make, cloned into another namespace: the copies exist, a
// copy's references point at the copied file resource, the session cluster's copy is STOPPED, and the
// data sources find the copies by name. The source's resources plan nothing afterwards.
func TestAccObjectsSurviveAClone(t *testing.T) {
	acctest.PreCheck(t)
	config := cloneNamespaces(acctest.RandomName("acc-objclone")) + `
resource "flink_file_resource" "jar" {
  namespace_id = flink_namespace.src.id
  name         = "udfs.jar"
  content      = "PK clone me"
}
resource "flink_catalog" "lake" {
  namespace_id = flink_namespace.src.id
  name         = "lake"
  type         = "paimon"
  properties   = { warehouse = "s3://lake/wh" }
}
resource "flink_udf" "strings" {
  namespace_id     = flink_namespace.src.id
  name             = "strings"
  functions        = ["lower2"]
  file_resource_id = flink_file_resource.jar.id
}
resource "flink_connector" "mq" {
  namespace_id     = flink_namespace.src.id
  name             = "mq"
  type             = "custom-mq"
  file_resource_id = flink_file_resource.jar.id
}
resource "flink_format" "json" {
  namespace_id = flink_namespace.src.id
  name         = "json"
  type         = "json"
}
resource "flink_draft" "report" {
  namespace_id = flink_namespace.src.id
  name         = "report"
  sql          = "SELECT * FROM lake.db.orders"
}
resource "flink_session_cluster" "shared" {
  namespace_id  = flink_namespace.src.id
  name          = "shared"
  desired_state = "RUNNING"
}
resource "flink_deployment" "enrich" {
  namespace_id   = flink_namespace.src.id
  name           = "enrich"
  type           = "JAR"
  engine_version = "flink-1.20"
  jar            = { uri = flink_file_resource.jar.id }
}
resource "flink_namespace_clone" "c" {
  source_namespace_id = flink_namespace.src.id
  target_namespace_id = flink_namespace.dst.id
  objects = ["file_resources", "catalogs", "udfs", "connectors", "formats", "drafts", "session_clusters", "deployments"]
  depends_on = [flink_catalog.lake, flink_udf.strings, flink_connector.mq, flink_format.json, flink_draft.report,
    flink_session_cluster.shared, flink_deployment.enrich]
}
data "flink_file_resource" "copy" {
  namespace_id = flink_namespace.dst.id
  name         = "udfs.jar"
  depends_on   = [flink_namespace_clone.c]
}
data "flink_catalog" "copy" {
  namespace_id = flink_namespace.dst.id
  name         = "lake"
  depends_on   = [flink_namespace_clone.c]
}
`
	copies := func(s *terraformState) error {
		dst := s.RootModule().Resources["flink_namespace.dst"].Primary.ID
		fileCopy := s.RootModule().Resources["data.flink_file_resource.copy"].Primary.ID
		c, ctx := acctest.Client(t), acctest.Context(t)
		byKind := map[string][]api.Object{}
		for _, kind := range []string{api.KindFileResource, api.KindCatalog, api.KindUDF, api.KindConnector, api.KindFormat,
			api.KindDraft, api.KindSessionCluster, api.KindDeployment} {
			objs, err := c.ListObjects(ctx, dst, kind, "")
			if err != nil {
				return err
			}
			if len(objs) != 1 {
				return fmt.Errorf("the target holds %d %s, want the 1 copy", len(objs), kind)
			}
			byKind[kind] = objs
		}
		for _, kind := range []string{api.KindUDF, api.KindConnector} {
			g, err := client.DecodeSpec[api.GenericSpec](byKind[kind][0])
			if err != nil {
				return err
			}
			if g.FileResourceID != fileCopy {
				return fmt.Errorf("the %s copy references %q, want the copied file resource %s", kind, g.FileResourceID, fileCopy)
			}
		}
		d, err := client.DecodeSpec[api.DeploymentSpec](byKind[api.KindDeployment][0])
		if err != nil {
			return err
		}
		if d.Jar == nil || d.Jar.URI != fileCopy {
			return fmt.Errorf("the deployment copy runs %+v, want the copied file resource %s", d.Jar, fileCopy)
		}
		if sc := byKind[api.KindSessionCluster][0]; sc.Status != "STOPPED" {
			return fmt.Errorf("the session cluster copy is %s, want STOPPED", sc.Status)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_namespace_clone.c", "status", "SUCCEEDED"),
					resource.TestCheckResourceAttrPair("data.flink_file_resource.copy", "sha256", "flink_file_resource.jar", "sha256"),
					resource.TestCheckResourceAttr("data.flink_catalog.copy", "type", "paimon"),
					resource.TestCheckResourceAttr("data.flink_catalog.copy", "properties.warehouse", "s3://lake/wh"),
					copies,
				),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
