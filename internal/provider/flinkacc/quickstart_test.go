package flinkacc_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// examples/flink-quickstart, what `make demo-flink` applies, applies as written: a job on Flink, a job
// snapshot, a policy and a stateful clone; then, with start_copy, the import of the clone's copy, which
// runs restored from the savepoint the clone copied, while the original stops. Its data source must be
// read at plan time for the import's for_each: it failed once when it named the original deployment,
// which the second apply changes.
func TestAccFlinkQuickstartExampleApplies(t *testing.T) {
	precheck(t)
	e := acctest.StartTestClockEngine(t)
	engine := e.AdminClient(t)
	cfg := acctest.ProviderConfigFor(e) + acctest.ExampleConfig(t, []string{"flink-quickstart"})
	vars := func(startCopy bool) config.Variables {
		return config.Variables{
			"flink_rest_url":        config.StringVariable(cluster.RESTURL),
			"flink_sql_gateway_url": config.StringVariable(cluster.SQLGatewayURL),
			"engine_version":        config.StringVariable(engineVersion()),
			"start_copy":            config.BoolVariable(startCopy),
		}
	}
	const copyAddr = "flink_deployment.copy.0"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars(false),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_deployment.orders", "status", api.JobRunning),
					resource.TestCheckResourceAttr("flink_job_snapshot.orders", "status", api.SnapshotCompleted),
					resource.TestCheckResourceAttr("flink_namespace_clone.backup", "status", api.CloneSucceeded),
					func(s *terraform.State) error {
						if _, ok := s.RootModule().Resources[copyAddr]; ok {
							return fmt.Errorf("%s exists before start_copy", copyAddr)
						}
						return nil
					},
				),
			},
			{
				Config:          cfg,
				ConfigVariables: vars(true),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("flink_deployment.orders", "status", api.JobCancelled),
					resource.TestCheckResourceAttr(copyAddr, "status", api.JobRunning),
					resource.TestMatchResourceAttr(copyAddr, "flink_job_id", flinkJobID),
					resource.TestCheckResourceAttrPair(copyAddr, "id", "data.flink_deployment.copy.0", "id"),
					func(s *terraform.State) error {
						copied := s.RootModule().Resources["data.flink_deployment.copy.0"].Primary.Attributes["restore_point"]
						job, err := engine.GetJob(acctest.Context(t), s.RootModule().Resources[copyAddr].Primary.ID)
						if err != nil {
							return err
						}
						if copied == "" || job.RestoredFrom != copied {
							return fmt.Errorf("the copy's job was restored from %q, want the savepoint the clone copied (%q)", job.RestoredFrom, copied)
						}
						return nil
					},
				),
			},
		},
	})
}
